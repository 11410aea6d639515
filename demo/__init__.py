"""demo of mbn-zoo (zoo.demo)."""
