"""38 natural photos from Debian wallpaper packages: the bigger, optional part of the offline training corpus.

The wheel corpus (``zoo.data.corpus``) has 11 photos; learning JPEG artifacts needs more natural image
statistics than that. These photos come from three Debian packages (bookworm), fetched by the user with
``apt-get download`` (a package registry, so it works on machines without other internet access) and unpacked
with ``dpkg -x``; nothing here downloads anything. Every source file is pinned by sha256, so a different package
version is refused instead of silently giving another corpus. Each photo is box-downscaled by an integer factor
(at least 2, which also removes the source's own JPEG artifacts) to a short side of about 512 pixels.

Licences (the packages' ``debian/copyright``): mate-backgrounds GPL-2+, lomiri-wallpapers-16.04 CC-BY-SA / CC-BY /
CC0 per file, plasma-workspace-wallpapers LGPL-3. The photos are used for training only and are not redistributed.
"""

from pathlib import Path
from typing import BinaryIO

from PIL import Image

from zoo.registry import sha256_file

__all__ = ["DEBIAN_PACKAGES", "DEBIAN_PHOTOS", "add_debian_photos", "write_downscaled"]

DEBIAN_PACKAGES = ("mate-backgrounds", "lomiri-wallpapers-16.04", "plasma-workspace-wallpapers")

_LOMIRI = "usr/share/backgrounds"
_MATE = "usr/share/backgrounds/mate/nature"
_PLASMA = "usr/share/wallpapers"

# (name, path inside the unpacked packages, sha256 of that file)
DEBIAN_PHOTOS: tuple[tuple[str, str, str], ...] = (
    (
        "Picture_1A",
        f"{_LOMIRI}/Picture_1A_by_freespace.jpg",
        "89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b",
    ),
    ("Wine", f"{_LOMIRI}/Wine_by_Jakkub_Mede.jpg", "d2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74"),
    (
        "greentock",
        f"{_LOMIRI}/greentock_by_Peter_Nerlich.jpg",
        "e7b20e2db9dcd6e2b278ca55873c2110b35d89cd38b04d0b18728726888e6889",
    ),
    (
        "seeding",
        f"{_LOMIRI}/seeding_by_Clements_Engelhardt.jpg",
        "a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f",
    ),
    (
        "aitzgorri",
        f"{_LOMIRI}/aitzgorri_by_Aitzol_Berasategi.jpg",
        "66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36",
    ),
    (
        "Dragonfly",
        f"{_LOMIRI}/Dragonfly_by_Bolly.jpg",
        "af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3",
    ),
    (
        "friends",
        f"{_LOMIRI}/friends_by_Aitzol_Berasategi.jpg",
        "cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d",
    ),
    (
        "sunset",
        f"{_LOMIRI}/sunset_by_Aitzol_Berasategi.jpg",
        "474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18",
    ),
    (
        "free",
        f"{_LOMIRI}/free_by_Peter_Nerlich.jpg",
        "85a5453c2fed514c75973016f3d862aca62eb7ca087618822469274ac1092373",
    ),
    (
        "picosdeeuropa",
        f"{_LOMIRI}/picosdeeuropa_by_Aitzol_Berasategi.jpg",
        "414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a",
    ),
    (
        "umang",
        f"{_LOMIRI}/umang_by_Abhishek_Mudgal.jpg",
        "bfb425545e77e9f0eb1b037b607fc9ed4a446f3b0f04aa2879be3556073c57ef",
    ),
    (
        "Picture_0B",
        f"{_LOMIRI}/Picture_0B_by_freespace.jpg",
        "c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad",
    ),
    (
        "life",
        f"{_LOMIRI}/life_by_Aitzol_Berasategi.jpg",
        "4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05",
    ),
    (
        "Bridge",
        f"{_LOMIRI}/Bridge_by_Sander_Klootwijk.jpg",
        "bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050",
    ),
    ("Garden", f"{_MATE}/Garden.jpg", "d3095ee09d425ef23d27155412136cf14fc3c9af76ca58b452f55e23da324e78"),
    ("Dune", f"{_MATE}/Dune.jpg", "8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91"),
    ("Wood", f"{_MATE}/Wood.jpg", "19c78500ac00a622e19907ab9cc7d06d46fe08c4a6142759a84195696150ec07"),
    ("Aqua", f"{_MATE}/Aqua.jpg", "5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce"),
    ("TwoWings", f"{_MATE}/TwoWings.jpg", "665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb"),
    ("Storm", f"{_MATE}/Storm.jpg", "77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957"),
    ("GreenMeadow", f"{_MATE}/GreenMeadow.jpg", "8fa0de0aa4089f7319c9fb7a6d006d4cab6023e8c8853731557cff53567b4832"),
    ("RainDrops", f"{_MATE}/RainDrops.jpg", "3e4ea9671c28c90a86cf67b3db9daf18c4741587c596333a7529ca589aaa0c16"),
    ("Blinds", f"{_MATE}/Blinds.jpg", "f7aac0dcc2e06d0491643e84df3da1d9db7c4610f58806a880d56e074799f600"),
    ("FreshFlower", f"{_MATE}/FreshFlower.jpg", "972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e"),
    ("LadyBird", f"{_MATE}/LadyBird.jpg", "e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d"),
    ("YellowFlower", f"{_MATE}/YellowFlower.jpg", "254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306"),
    (
        "BytheWater",
        f"{_PLASMA}/BytheWater/contents/images/1920x1080.jpg",
        "c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f",
    ),
    (
        "ColdRipple",
        f"{_PLASMA}/ColdRipple/contents/images/1920x1080.jpg",
        "05bef6722fc0ed81292cceb3ed026c38d17e510f3c84be7d68610c2b1a723c3f",
    ),
    (
        "ColorfulCups",
        f"{_PLASMA}/ColorfulCups/contents/images/2560x1600.jpg",
        "6e0f3a72feb5a4a9fec191b77e34874c3c69e2d93040deb3f07773e73385023d",
    ),
    (
        "DarkestHour",
        f"{_PLASMA}/DarkestHour/contents/images/1920x1080.jpg",
        "8e3703fae3a3c217b1fc2b399b706cd3720584268d071ba153e4809daa55f1ce",
    ),
    (
        "EveningGlow",
        f"{_PLASMA}/EveningGlow/contents/images/1920x1080.jpg",
        "586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a",
    ),
    (
        "FallenLeaf",
        f"{_PLASMA}/FallenLeaf/contents/images/1920x1080.jpg",
        "95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de",
    ),
    (
        "Kite",
        f"{_PLASMA}/Kite/contents/images/1920x1080.jpg",
        "bdca288ce296a981e80659c021cf707caddc702c0c8d4247e60bd618476d47f8",
    ),
    (
        "OneStandsOut",
        f"{_PLASMA}/OneStandsOut/contents/images/1920x1080.jpg",
        "cb507baf1dafdcae362264f3aba9483ed4be5f6c9fdd770f0ec0920c6d9e80fd",
    ),
    (
        "Path",
        f"{_PLASMA}/Path/contents/images/1920x1080.jpg",
        "7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8",
    ),
    (
        "summer_1am",
        f"{_PLASMA}/summer_1am/contents/images/1920x1080.jpg",
        "c868b50789591dd42910153c768053f1ba0a98cb36bbfc2b7a96a1045d0477f8",
    ),
    (
        "Autumn",
        f"{_PLASMA}/Autumn/contents/images/1920x1080.jpg",
        "dfded25df13f5c2dfee68cafb23f69c3efb32b8a6931d82ebbe42de9810dd1e4",
    ),
    (
        "Volna",
        f"{_PLASMA}/Volna/contents/images/5120x2880.jpg",
        "abc30b4fc6f6a83b6156e6b59ac283c067de40af820aafac8ac7c4fd83a9607c",
    ),
)


def add_debian_photos(
    unpacked: str | Path,
    out_dir: str | Path,
    short_side: int = 512,
    photos: tuple[tuple[str, str, str], ...] = DEBIAN_PHOTOS,
) -> list[Path]:
    """Check, downscale and write the Debian photos as PNG files; return their paths.

    Args:
        unpacked: Folder the packages were unpacked into (``dpkg -x PACKAGE.deb FOLDER`` for each of
            :data:`DEBIAN_PACKAGES`).
        out_dir: Destination folder (created if needed).
        short_side: Target short side; the downscaling factor is ``max(2, short // short_side)``.
        photos: The pinned list (name, relative path, sha256).

    Raises:
        FileNotFoundError: If photos are missing (all missing ones are named, with the command that fetches them).
        ValueError: If a file's sha256 differs from the pinned one (another package version).
    """
    root, out = Path(unpacked), Path(out_dir)
    missing = [rel for _, rel, _ in photos if not (root / rel).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} of {len(photos)} photos are missing under {root} (first: {missing[0]}); fetch and unpack "
            f"the packages: apt-get download {' '.join(DEBIAN_PACKAGES)} && for d in *.deb; do dpkg -x $d {root}; done"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rel, sha256 in photos:
        source = root / rel
        if (found := sha256_file(source)) != sha256:
            raise ValueError(f"{source}: sha256 {found} is not the pinned {sha256} (another package version?)")
        written.append(write_downscaled(source, out / f"{name}.png", short_side))
    return written


def write_downscaled(source: str | Path | BinaryIO, path: Path, short_side: int) -> Path:
    """Write a photo as PNG, box-downscaled by ``max(2, short // short_side)``; returns ``path``.

    Downscaling by an integer factor of at least 2 also removes the compression artifacts of the source.
    """
    with Image.open(source) as image:
        photo = image.convert("RGB")
    photo.reduce(max(2, min(photo.size) // short_side)).save(path)
    return path
