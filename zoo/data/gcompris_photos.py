"""117 photos from GCompris' activity data: more scenes for the factor detector's training and threshold choice.

The detector learned haze from about fifty natural photos, and bright, flat clean scenes (objects on white, desert,
snow, distant hills) were rare among them: its haze score then rose on such photos without haze, and its haze
threshold had to sit so high that real haze went unfound. GCompris (Debian package ``gcompris-qt-data``, bookworm
version 3.1-2) ships photos of monuments, animals, objects and underwater scenes for its activities, stored as WebP
files inside Qt resource files (``.rcc``). :func:`add_gcompris_photos` finds the WebP entries of those files (the
entries are stored whole, so a byte scan for ``RIFF....WEBP`` headers finds them), keeps the pinned ones (by the
sha256 of the WebP bytes, so another package version is refused instead of silently giving other photos),
box-downscales each by an integer factor of at least 2 (which also removes the WebP compression's artifacts) and
writes it as PNG.

Chosen by eye from the 161 entries of at least 256 pixels: photos only (paintings, drawings and textures left out),
short side at least 480 pixels, the ``details`` activity left out (it repeats monuments of ``explore_monuments``),
and one of two near-duplicates dropped (``zoo.data.near_duplicates``); none matches a validation, test or audit
photo (highest correlation 0.87, below the 0.9 of a match). Every fourth photo in name order is a ``calibration``
photo: the detector is not trained on it, and its thresholds are chosen on samples made from these photos and the
validation photos. The rest (``train``) join the training corpus.

Licences (the package's ``debian/copyright``, per file): mostly Wikimedia Commons photos under CC-BY / CC-BY-SA,
some public domain or GPL-3+. The photos are used for training and threshold choice only and are not
redistributed.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image

from zoo.data.debian_photos import write_downscaled

__all__ = ["GCOMPRIS_PACKAGE", "GCOMPRIS_PHOTOS", "ROLES", "add_gcompris_photos", "gcompris_names", "webp_entries"]

GCOMPRIS_PACKAGE = "gcompris-qt-data"
_RCC = "usr/share/gcompris-qt/rcc"
ROLES = ("train", "calibration")

# (name: <resource file>_<number of its WebP entry, from 1>, role, sha256 of the entry's WebP bytes)
GCOMPRIS_PHOTOS: tuple[tuple[str, str, str], ...] = (
    ("clickgame_003", "train", "9c8236a6ade2a59fb05dfe03802cd9aa5d5e672c85731b136847287c33265974"),
    ("clickgame_006", "train", "533dcc0d871a390d5ee648ce1b4cfbccb41890cc1e514e5966f3cc02550d75a4"),
    ("clickgame_012", "train", "a3a8c196d24f6c37fc2e9bebd421ffa339485cf511fc2c3258ba9e5a17076170"),
    ("clickgame_013", "calibration", "42f7a4152c54f8bf065e8ad182472729a5374a6860c573a4de1ea0987e026cf3"),
    ("clickgame_024", "train", "08c6d1ae0ea47c5136137148c817472da329ca1e67063b0fb3e60190e5c55b00"),
    ("clickgame_030", "train", "21295e109d35b0f11a9c8dd17524be6212571cb28fad56613be1f8789a261f5e"),
    ("erase_001", "train", "250140eb6d3a0af11b87c084ce18a6c41a8ed679c97ef758b58ba54e04b11f9c"),
    ("erase_002", "calibration", "5957d392349d9016e0b6a2ca900ebd12a6a6eed6b21a1fb69111d1fabbca3973"),
    ("erase_003", "train", "1aca9fcc5a0e3e9f2b2bc7d0f231e509f935dd8207b064e7c1810e0466e9403a"),
    ("erase_004", "train", "f67d7d04bf3ba2270953db11be657fc3fc7292d4d070891f5164fef5b1665f96"),
    ("erase_005", "train", "ec755f7b9d8953037161a7cf4f01270fdc92382913b33d987ceb27c1dfa6ded1"),
    ("erase_006", "calibration", "df4da85790b8a403f5095e796d042f28f8386831a4970ab4b3035746ae038edc"),
    ("erase_007", "train", "e2b2f388dc6f92ce2ea0f40f2d8d2d1ec6e8a135d05986cae67a7d0330c1ac26"),
    ("erase_008", "train", "56bdd761a41440bdd47eae4aa75b1703f9d24c5d09c8352f9b462deaa6b9b96f"),
    ("erase_009", "train", "b637658d7e0f8f555b5683a8c912646d57ba37be6ba9684df893a1d07ee9e637"),
    ("erase_010", "calibration", "5fe69699bf37d702c3ca9b2b76c727aff717494ba368272952e05ac233028eda"),
    ("erase_011", "train", "5ce6131ce966f585b263e2f04cbd504dd7366f99885ca3cbef12aa25d559b5d4"),
    ("erase_012", "train", "ffd29864f09bf7439144e8da04d772fb455cfe9891d50e60ae70b99a16e42d5e"),
    ("erase_013", "train", "5268033ecc366dbcf949a06e62361785a7be788dfa2b1ad343e7ded8104cfaf2"),
    ("erase_014", "calibration", "a7b242c4b014e7e37f2f3fac95c841c49e2dea5d5aa886e2ab4758e0372af9f8"),
    ("erase_015", "train", "8a338c7df32949c5a5e1fef4b901d554b1c1af71c6a5bd81882522c11e0c41e5"),
    ("erase_016", "train", "1c8a4014d079380622c55d15afe6cad5bb53c42b09eb5b4e7bec8f127fdd063f"),
    ("erase_017", "train", "822be2d08adc89a71e6eeff1500eea684c6f0961c98ddb1b23f0e66bbae4f987"),
    ("erase_018", "calibration", "459198d83393a1835c76861d901144d209a0bead29f4b9d2ef5b472eeab01fdd"),
    ("erase_019", "train", "e12b50bb4ee6bb36bd4e3ab428a2d1ea87d5390b5a6a4aa189b10950a1925860"),
    ("erase_020", "train", "63006dabe8b74b826eba8d8d80c4330ff38f57fd3e1010254f4644d830c48067"),
    ("erase_021", "train", "b9d85c2e2899036e7b0caf458696586adf63d431e5034362bb48a0abd8d29149"),
    ("erase_022", "calibration", "810de9fea0499e4d1a7584c8b62b509ef1c404d9bec3094d53aeb8a77abdc7b2"),
    ("erase_023", "train", "15b49393342bf7de3fef6c1bb083cc7b643fa90b5b46e1a344833eb1d515a795"),
    ("erase_024", "train", "dab7bc930f6fe4f7a32db0b8f1bd86d905db50d8aa2e646522c428c731a80853"),
    ("erase_025", "train", "1c8be6df0a6ff161ad49a789b5699f842b18f5dc93bf6b66fd5f1342266643b2"),
    ("erase_026", "calibration", "3a97a3c854c6d93cc67cc608e569ed0e6157f22cd5dd7e118fb0a42641eeada8"),
    ("erase_027", "train", "076622230f0634c0ef952f8f197280262db2355205c22f0c8f7731a13557c54a"),
    ("erase_028", "train", "977b0ff4277075a4ef79e0c335276fd5a2ae68f8bf366503fd33203c49f82b04"),
    ("erase_029", "train", "2847f84c4c9698a9b55124145dd679868da1239b0f174db8f2c83e173cbb9d8c"),
    ("erase_030", "calibration", "acba63337c11582a5cc3fd97573e4fefd353da82e63a06f1947cdbb11f49b7bd"),
    ("erase_031", "train", "7dcb1048527339524e6decd296d4bf8c22d74415fe5d6fcaa3354ae17530bf86"),
    ("erase_032", "train", "c39106edc785a65bf0eee10bf039375b2fc3f72b405d76fec392a1a40b39d4f0"),
    ("erase_033", "train", "c6f3a52585a3d6179c78e15375a9d9b11f37bfd0ac33b477f3b67cda06c59727"),
    ("explore_farm_animals_001", "calibration", "fa4572f2022a3aded4b627b9234fb8abf1658d125b267dc8d28cb1a8213c3b60"),
    ("explore_farm_animals_002", "train", "db359136be5ef7c435a2521e7f782a7f13ab48634f8a955864b1557ca21926db"),
    ("explore_farm_animals_003", "train", "3bac61d5dabb709cdea2511f63bab6bfcde9736536a39f1f7510f5258a75b088"),
    ("explore_farm_animals_004", "train", "87879a9644b71713f52aadf22562f30cc3e6e25a36e07d602a90e0cf6ec888aa"),
    ("explore_farm_animals_005", "calibration", "ab7c3e1b04e80bc567b00dba49946918b5a38be1f37618f0d2b4887ef5792770"),
    ("explore_farm_animals_006", "train", "30a07d3c7dfc191ff4d160826ad14babb4cfb9cb47b15ec8a098857f135bfcd4"),
    ("explore_farm_animals_007", "train", "4f3d27d1fd3d0b3c0482d72a7b62101c133329f95427dcb3fb1319e69d53b7c8"),
    ("explore_farm_animals_008", "train", "5e9d9544495740101e4cfff817d986b683731112b2cf17fde2e4c2a26c3c5314"),
    ("explore_farm_animals_009", "calibration", "e8b7d705a955799f02eb3e8ded6487991d2c5c8274fee828ac75c0b917b3e237"),
    ("explore_monuments_001", "train", "e9642c03c23004248bcdf0a364d9828625ba5ef75f82e4a10bfdf2b16bd0a18c"),
    ("explore_monuments_002", "train", "62d80a80ca5e5040bdb87c6f2fb57fa333d9b190c9a41066e4017cd4268656d9"),
    ("explore_monuments_003", "train", "fded6367850d2fafaf5ecad961ba51efbdc0c3d3171f7cc058d2ccfd2e6897e6"),
    ("explore_monuments_004", "calibration", "a96693bfff66c9a747a066b8d798aaf876427de969603c4125bf881f8af0ac2d"),
    ("explore_monuments_005", "train", "4e414fc35ae9b4e18e3219d6278287fb720e89facd332fef9a1c4fe9c3c3adc3"),
    ("explore_monuments_006", "train", "cf115ede228937f0dfea0ffd7efa5fa24a948f388091ce1a123e7636b25c080b"),
    ("explore_monuments_007", "train", "720ddce0a3124d68e306008c152fb19ec2a2917b3609ba8a31607cffaf52c2d2"),
    ("explore_monuments_008", "calibration", "b9de4b334e76df53df948de034f4bcc744be682a904ad7c61a9f9f7ac8de326b"),
    ("explore_monuments_009", "train", "1c097b958c4bc0e52384e572c3e3ed70abbb54e9b4936cd0852320e1ce12561e"),
    ("explore_monuments_010", "train", "b9e560a9ae2fd919baec7f5ceb08877d57194e614481b25058693a88c232897f"),
    ("explore_monuments_011", "train", "694a4eaebc52849aacf802383bc5c755c0fff97b8342a4ef733c7a36c6e6aa53"),
    ("explore_monuments_012", "calibration", "f8427c09579493e7918d00134423ed40140c2f3fa09fb13341d3c1a0640fc1e9"),
    ("explore_monuments_013", "train", "7df87dfe904e18fee2062e8dba2cbfc5c7b807e27c688b271a7380000865c2cf"),
    ("explore_monuments_015", "train", "a657a2139787bded963966d92b4ff9825327572e5e73d4badc1ac52cc063db0f"),
    ("explore_monuments_016", "train", "dea912cbd3950dacbba8cd810e39713525c27d54e58ce6ba7502a0f83cf24c95"),
    ("explore_monuments_017", "calibration", "8d1053776a85a9703f819ae6a82f981cbfa9a8961712404afee235afd87a0e48"),
    ("explore_monuments_018", "train", "a84a26be8d9447341e5235dd319acc71a49f2d91c8dd55a17a89867c64a580c0"),
    ("explore_monuments_019", "train", "7dbf980b3711f7557ed4d5748e494c48f72ac34ff601cf1a46f272ff9ab20543"),
    ("explore_monuments_020", "train", "c94ddb83bb2d878fecaf0677e8e6c1e73ede7dd39bd69f5e84d2f68e84515156"),
    ("explore_monuments_021", "calibration", "41791947f8772c9bf483ddb13a4fa4dfbbd1eef44f29937a99eebc5361d981a2"),
    ("explore_monuments_022", "train", "ec52355726f8c36c78f0db526dc0fd8c823f5572a5ced04e8914a82a7b496a8c"),
    ("explore_monuments_023", "train", "3b6741152471d00646271d3a413c08af0533766f09dc87af19abb9ff71801886"),
    ("explore_monuments_024", "train", "4edb7eed9db596bd7f3ad98eb34a82c04c32ff1d57aeec80a815c1248feb8e04"),
    ("explore_monuments_026", "calibration", "42c8376f99f770fa9daa92afb8cde44dc58dd3282b10c5ba8fabec02ea4b9643"),
    ("explore_monuments_027", "train", "d9fec7d6ac491a64c5dab74fed447054e9d188dc9732715bef12bd63909e87c8"),
    ("explore_monuments_028", "train", "2148fe45a54186a6e8bc4a395bbbffa0e3530e65232ceda5b841397a0d031bfb"),
    ("explore_monuments_029", "train", "8eeda3c92c734520b4b7865eb04a900402a329890064058bcb4448d21669a3a8"),
    ("explore_monuments_030", "calibration", "134f44b0e1c333202da337c73b6752db36fcbb5cb73e05cfcb4e5f4ff2fb4f43"),
    ("explore_monuments_031", "train", "fa8d36162b1380ac7998ab32d82f7b86b390cdce830acd807ef314291cc03ee5"),
    ("explore_monuments_032", "train", "52eab4d110bd168e644c9152a60a911cdd8ba5e3d4b661e966f256a074f66fb8"),
    ("explore_monuments_034", "train", "b1d3584272eb66d8211a9cb71a3647e88597986f8020eca9691c488282ea9a88"),
    ("explore_monuments_035", "calibration", "c36913b06cea891736c82132a9124d178c11a0b1e1f0d511e9f8158a8271ac62"),
    ("explore_monuments_036", "train", "cc782ccdd5b508299ad17402df2d0d375c26e1f9b18e4d2e6c3fd474fcaeb458"),
    ("explore_monuments_037", "train", "9882593801be435822f1d948afb36b171ed7fc7a301dfa74b11df5ea9afaf681"),
    ("explore_monuments_038", "train", "fc0d45ec5a258568858c70d2d78eb23a5eb769255d74b384f70c20422d2eb351"),
    ("explore_monuments_039", "calibration", "3133f2872b3d791595296fd4bf4812654326e01f5c7cd2d870765bfd6772fa2b"),
    ("explore_monuments_040", "train", "0d38a0c2d4910f895c003825999345a86da080ff76d709bba923153cbd654945"),
    ("explore_monuments_041", "train", "e04e163ccef6e59411dff15c3459768b2f442fe2ff5042369d9a480f1f272068"),
    ("explore_monuments_042", "train", "546e2483d17c2b732ce375d946afba6fc612166abcd6d976217747a982b60777"),
    ("explore_monuments_043", "calibration", "15ec5fcb8758d54efa65581b9682e5cc766d700f3f329d700a06d0550d2c8e03"),
    ("explore_monuments_044", "train", "b552994f64727ceaa04218d6a5e7a86b08cb8b550c1eeae0b010f857286d308e"),
    ("explore_monuments_045", "train", "5b39680425fca3ff5f56b3bd79d11683a46a009d66ef23445e165ea72524b3cb"),
    ("explore_monuments_046", "train", "dd1818360d153c095e227157d128e498fe9b29437594e8e5c663184cad4120fb"),
    ("explore_monuments_047", "calibration", "2cb312c79a20e0cd8ed865c5b15a95af86d8d95a0ab96da8814c073857abf4bb"),
    ("explore_monuments_048", "train", "91be8dd19821221b2b3c30a78cb43a17d8017751a1d36acd751b1e9417acbbae"),
    ("explore_monuments_049", "train", "c90cdcbf981bcd5f118b553b059448db6fb0bfe801b40240e02ccd2975b92a59"),
    ("explore_world_animals_001", "train", "683964b6f57fdced539b3da8983ef4f4c9d78a0be3e251363fc5a17d4fb4fe7e"),
    ("explore_world_animals_002", "calibration", "2252a671c2e0ade9ce6ff6d41957348a81ebccfd952ba59bfddceff0b059ea48"),
    ("explore_world_animals_003", "train", "f3ececf0133c1301227fdea62d74bce7bcc0d138b048714b116aa4a0744260d5"),
    ("explore_world_animals_004", "train", "840cf54b69bf4fb9a14a99fe502e237ad36e7230c146ca884b7b0e444ec12534"),
    ("explore_world_animals_005", "train", "780aceaa624415db1f6ff304ed13e804572686316e69d21ee0e13856ef173f7e"),
    ("explore_world_animals_006", "calibration", "8b088ed71a87e7e929cf08b49a1e1c977c47544307d348e52a0f4a85128662a0"),
    ("explore_world_animals_007", "train", "77b243c27d79f3f5706497af5c1e8e9134f87d634def2b81e2074b572b575d18"),
    ("explore_world_animals_008", "train", "4fccf91dd5e6a749d9eb621f982e6a0d7072830db91ba0daabcd86b1de7a9747"),
    ("explore_world_animals_009", "train", "fc36683cc2069ac83ae84f2da61c2774149d1a1dcb99820380b724ca50d3532e"),
    ("explore_world_animals_010", "calibration", "0544cef0a7d6940d3c143a04eecb7065bf9b90d7d367ad8bacbef6631b506070"),
    ("explore_world_animals_011", "train", "11f3b2c5b876ee083924ff3ffab233c3e1d161993605b67d4d2ab5a9f1d9cf25"),
    ("explore_world_animals_012", "train", "2a94d2fc7482ca806ce60210031f167782f7407ed47cd721371355e2ab575afc"),
    ("explore_world_animals_013", "train", "22704727b6643480c62487ffb2d9fd618a3f499dde84b1eb789d4b0b11477e85"),
    ("explore_world_animals_014", "calibration", "70ccf9a9db5008100eb6955ae25fabd4f7769427be784d627cf6315f6dfce692"),
    ("explore_world_animals_015", "train", "68014ed783cf6a8b8c9c4202cf2c467a34819dab08bf566e93d5fcd872e41f5c"),
    ("explore_world_music_001", "train", "b4a6d85a40cefbd33cc6801ffcbb3ad7026d8d79be134c753b4f12b0b862cedf"),
    ("explore_world_music_002", "train", "b30a023e5d36bb053a4ee8e57bd0b4fa2042e3d0a5ab8e663a341ba6e35672ad"),
    ("explore_world_music_003", "calibration", "bc847e52730f5920b6743b59c881cc16430a1d2438ceba9008a2880530f7aaf2"),
    ("explore_world_music_004", "train", "0f0aa2d3116e01acdc693b626b1b60699124145670e624121289a7ced5020679"),
    ("explore_world_music_005", "train", "cd1286e5d7649bc446a47297f0127a38295e5a5f39a641b528e0c5063675c9d1"),
    ("explore_world_music_006", "train", "b7e0bc6da6f9fd8b2ae453f9a4a7021e5439bbd8944d4566b938134c0fa24951"),
    ("explore_world_music_007", "calibration", "72af64588442d1e251ed33568629d35bf88b3fa348def66265320571bdda0927"),
    ("explore_world_music_008", "train", "c4b27aebe08498a882efa57ebc1ac2798ae2173228656f107cd8bff6098b5acf"),
)


def gcompris_names(role: str, photos: tuple[tuple[str, str, str], ...] = GCOMPRIS_PHOTOS) -> tuple[str, ...]:
    """Names of the pinned photos of one role, ``train`` or ``calibration``."""
    if role not in ROLES:
        raise ValueError(f"role {role!r}; expected one of {', '.join(ROLES)}")
    return tuple(name for name, photo_role, _ in photos if photo_role == role)


def webp_entries(data: bytes) -> list[bytes]:
    """The WebP files stored in a Qt resource file, in file order (entries that do not decode are skipped)."""
    entries, start = [], 0
    while (start := data.find(b"RIFF", start)) >= 0:
        if data[start + 8 : start + 12] != b"WEBP":
            start += 4
            continue
        end = start + 8 + int.from_bytes(data[start + 4 : start + 8], "little")
        chunk = data[start:end]
        try:
            with Image.open(io.BytesIO(chunk)) as image:
                image.load()
        except Exception:  # noqa: BLE001 - a RIFF header by chance inside other data
            start += 4
            continue
        entries.append(chunk)
        start = end
    return entries


def add_gcompris_photos(
    unpacked: str | Path,
    out_dir: str | Path,
    role: str,
    short_side: int = 512,
    photos: tuple[tuple[str, str, str], ...] = GCOMPRIS_PHOTOS,
) -> list[Path]:
    """Check, downscale and write the pinned photos of one role as PNG files; return their paths.

    Args:
        unpacked: Folder the package was unpacked into (``dpkg -x gcompris-qt-data_3.1-2_all.deb FOLDER``).
        out_dir: Destination folder (created if needed).
        role: ``train`` (for the training corpus) or ``calibration`` (for choosing the detector's thresholds).
        short_side: Target short side; the downscaling factor is ``max(2, short // short_side)``.
        photos: The pinned list (name, role, sha256).

    Raises:
        FileNotFoundError: If the package's resource files are missing (with the command that fetches them).
        ValueError: If a pinned photo is not found (another package version).
    """
    names = gcompris_names(role, photos)
    folder = Path(unpacked) / _RCC
    resources = sorted({name.rsplit("_", 1)[0] for name in names})
    missing = [r for r in resources if not (folder / f"{r}.rcc").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} resource files of {GCOMPRIS_PACKAGE} are missing under {folder} (first: {missing[0]}.rcc);"
            f" fetch and unpack the package: apt-get download {GCOMPRIS_PACKAGE} && dpkg -x {GCOMPRIS_PACKAGE}_*.deb "
            f"{unpacked}"
        )
    by_hash = {}
    for resource in resources:
        for chunk in webp_entries((folder / f"{resource}.rcc").read_bytes()):
            by_hash[hashlib.sha256(chunk).hexdigest()] = chunk
    pinned = {name: sha for name, photo_role, sha in photos if photo_role == role}
    absent = [name for name, sha in pinned.items() if sha not in by_hash]
    if absent:
        raise ValueError(
            f"{len(absent)} pinned photos (first: {absent[0]}) are not in the resource files under {folder}; "
            f"another version of {GCOMPRIS_PACKAGE}? The pinned one is 3.1-2 (Debian bookworm)"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sha in pinned.items():
        written.append(write_downscaled(io.BytesIO(by_hash[sha]), out / f"gc_{name}.png", short_side))
    return written
