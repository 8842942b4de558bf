"""Tests for geodata.names: real Bắc Kạn names from the GSO list of 2020-01-01.

Codes, names and district codes are copied from the official list
(dvhcvn-historical-data, data.json at 2020-01-01); two units of neighbouring provinces share a
name with a Bắc Kạn commune. The lists are literal so that the tests read no files.
"""

import unicodedata

import pytest

from geodata.names import (
    Candidate,
    Match,
    NameIndex,
    compact,
    loose_key,
    name_key,
    strip_unit_prefix,
)

XUAN_LAC = Candidate("02023", "Xã Xuân Lạc", "064")  # Chợ Đồn
COMMUNES = [
    Candidate("01837", "Phường Sông Cầu", "058"),  # Thành phố Bắc Kạn
    Candidate("01846", "Phường Huyền Tụng", "058"),
    Candidate("01855", "Phường Xuất Hóa", "058"),  # the GSO list has the new placement here
    Candidate("01873", "Xã Xuân La", "060"),  # Pác Nặm
    Candidate("01948", "Xã Trung Hoà", "062"),  # Ngân Sơn; old placement
    Candidate("01972", "Xã Phương Linh", "063"),  # Bạch Thông
    Candidate("01978", "Xã Sĩ Bình", "063"),
    Candidate("01993", "Xã Tân Tiến", "063"),
    Candidate("02020", "Thị trấn Bằng Lũng", "064"),  # Chợ Đồn
    XUAN_LAC,
    Candidate("02029", "Xã Đồng Lạc", "064"),
    Candidate("02050", "Xã Phương Viên", "064"),
    Candidate("02074", "Xã Phong Huân", "064"),
    Candidate("02098", "Xã Hoà Mục", "065"),  # Chợ Mới
    Candidate("02104", "Xã Cao Kỳ", "065"),
    Candidate("02134", "Thị trấn Yến Lạc", "066"),  # Na Rì
    Candidate("02146", "Xã Kim Hỷ", "066"),
    Candidate("02167", "Xã Lam Sơn", "066"),
    Candidate("02197", "Xã Liêm Thuỷ", "066"),
    Candidate("02461", "Xã Tân Tiến", "075"),  # Yên Sơn, Tuyên Quang
    Candidate("05623", "Xã Yên Lạc", "168"),  # Phú Lương, Thái Nguyên
    Candidate("06499", "Xã Lâm Sơn", "187"),  # Chi Lăng, Lạng Sơn
]
DISTRICTS = [
    Candidate("058", "Thành Phố Bắc Kạn", "06"),
    Candidate("063", "Huyện Bạch Thông", "06"),
    Candidate("064", "Huyện Chợ Đồn", "06"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(COMMUNES)


def accepted(index: NameIndex, text: str, parent: str | None = None) -> tuple[str | None, str]:
    match = index.resolve(text, parent)
    assert match.accepted == (match.code is not None)
    return match.code, match.how


# ---- keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xã Xuân Lạc", "Xuân Lạc"),
        ("XÃ XUÂN LẠC", "XUÂN LẠC"),
        ("  Xã  Xuân   Lạc ", "Xuân Lạc"),
        ("Xa Xuan Lac", "Xuan Lac"),
        ("Thị trấn Bằng Lũng", "Bằng Lũng"),
        ("Thị Trấn Bằng Lũng", "Bằng Lũng"),
        ("Thi tran Bang Lung", "Bang Lung"),
        ("TT. Bằng Lũng", "Bằng Lũng"),
        ("TT Bằng Lũng", "Bằng Lũng"),
        ("TT.Bằng Lũng", "Bằng Lũng"),
        ("Bằng Lũng (thị trấn)", "Bằng Lũng"),
        ("Bằng Lũng (TT.)", "Bằng Lũng"),
        ("P. Sông Cầu", "Sông Cầu"),
        ("Phường Sông Cầu", "Sông Cầu"),
        ("Phuong Song Cau", "Song Cau"),
        ("H. Chợ Đồn", "Chợ Đồn"),
        ("Huyện Chợ Đồn", "Chợ Đồn"),
        ("TP. Bắc Kạn", "Bắc Kạn"),
        ("TP Bắc Kạn", "Bắc Kạn"),
        ("Thành phố Bắc Kạn", "Bắc Kạn"),
        ("Thanh pho Bac Kan", "Bac Kan"),
        ("ThànhPhốBắcKạn", "BắcKạn"),  # GADM NAME_2
        ("Tỉnh Bắc Kạn", "Bắc Kạn"),
        ("Thị xã Bắc Kạn", "Bắc Kạn"),
        ("TX. Bắc Kạn", "Bắc Kạn"),
        ("Quận Ba Đình", "Ba Đình"),
        # names that merely start like an abbreviation or a unit word
        ("Phong Huân", "Phong Huân"),
        ("Phương Linh", "Phương Linh"),
        ("Huyền Tụng", "Huyền Tụng"),
        ("Xuân La", "Xuân La"),
        ("Huyen Tung", "Huyen Tung"),
        ("Quan Binh", "Quan Binh"),
        ("Xã", "Xã"),  # the unit word alone is the whole name
        ("Thị trấn", "Thị trấn"),
        ("Thịtrấn", "Thịtrấn"),  # GADM TYPE_3
        ("(thị trấn)", "(thị trấn)"),
    ],
)
def test_strip_unit_prefix(text: str, expected: str) -> None:
    assert strip_unit_prefix(text) == expected


def test_strip_unit_prefix_only_once() -> None:
    assert strip_unit_prefix("Xã Xã Xuân Lạc") == "Xã Xuân Lạc"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hoà", "Hòa"),
        ("Trung Hoà", "Trung Hòa"),
        ("Xuất Hóa", "Xuất Hoá"),
        ("Thuỷ", "Thủy"),
        ("Liêm Thuỷ", "Xã Liêm Thủy"),
        ("Xã Xuân Lạc", "xuân lạc"),
        ("Xã Xuân Lạc", "XÃ XUÂN LẠC"),
        ("Xã Xuân Lạc", unicodedata.normalize("NFD", "Xã Xuân Lạc")),
        ("Xã Xuân Lạc", "Xã\u00a0Xuân\u2009Lạc"),
        ("Xã Xuân Lạc", "  Xã  Xuân \t Lạc "),
        ("Xã Xuân Lạc", "Xuân\u200b Lạc\ufeff"),
        ("Xã Đồng Lạc", "\u00d0ồng Lạc"),  # Icelandic eth for Đ
        ("Xã Đồng Lạc", "x\u00e3 \u00f0\u00f4\u0300ng la\u0323c"),  # eth, mixed composition
        ("Thị trấn Bằng Lũng", "Bằng Lũng (thị trấn)"),
        ("Thị trấn Bằng Lũng", "TT. Bằng Lũng"),
        ("Hoàng Trĩ", "Hoàng Trĩ"),
    ],
)
def test_name_key_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hòa", "Hóa"),  # different tone
        ("Yên Lạc", "Yến Lạc"),  # real pair: Thái Nguyên commune / Na Rì township
        ("Lam Sơn", "Lâm Sơn"),  # real pair: Na Rì / Lạng Sơn
        ("Sĩ Bình", "Sỹ Bình"),  # i/y is the "variant" level, not the key
        ("Bằng Lũng", "Bang Lung"),
        ("Đồng Lạc", "Dồng Lạc"),
    ],
)
def test_name_key_different(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_name_key_is_nfc_and_idempotent() -> None:
    key = name_key(unicodedata.normalize("NFD", "Xã Trung Hoà"))
    assert unicodedata.is_normalized("NFC", key)
    assert name_key(key) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xã Xuân Lạc", "xuan lac"),
        (unicodedata.normalize("NFD", "Xã Xuân Lạc"), "xuan lac"),
        ("Phường Xuất Hóa", "xuat hoa"),
        ("\u00d0ồng Lạc", "dong lac"),
        ("Thị trấn\u00a0Bằng  Lũng", "bang lung"),
        ("Bằng Lũng (thị trấn)", "bang lung"),
        ("Xã Phong Huân", "phong huan"),
    ],
)
def test_loose_key(text: str, expected: str) -> None:
    assert loose_key(text) == expected


def test_compact() -> None:
    assert compact("xuân lạc") == "xuânlạc"
    assert compact(loose_key("Nguyễn Thị Minh Khai")) == "nguyenthiminhkhai"


# ---- resolve: accepted levels --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("02023", "code"),
        ("2023", "code"),
        (" 02023 ", "code"),
        ("2023.0", "code"),  # a spreadsheet cell read as a number
        ("Xã Xuân Lạc", "exact"),
        ("Xuân Lạc", "exact"),
        ("XÃ XUÂN LẠC", "exact"),
        (unicodedata.normalize("NFD", "Xã Xuân Lạc"), "exact"),
        ("Xã\u00a0Xuân\u00a0Lạc", "exact"),
        ("  Xã  Xuân   Lạc ", "exact"),
        ("XuânLạc", "compact"),  # GADM NAME_3
        ("Xã XuânLạc", "compact"),
        ("XãXuânLạc", "compact"),
        ("xuân lạc", "exact"),
        ("xuan lac", "unaccented"),
        ("Xa Xuan Lac", "unaccented"),
        ("XuanLac", "unaccented"),  # GADM VARNAME_3
        ("XUAN LAC", "unaccented"),
    ],
)
def test_resolve_xuan_lac(index: NameIndex, text: str, how: str) -> None:
    match = index.resolve(text)
    assert match == Match(text, "02023", "Xã Xuân Lạc", how)
    assert match.accepted


@pytest.mark.parametrize(
    ("text", "code", "how"),
    [
        ("Trung Hòa", "01948", "exact"),  # GSO writes Trung Hoà
        ("Xã Trung Hòa", "01948", "exact"),
        ("TrungHoà", "01948", "compact"),  # GADM
        ("Xuất Hoá", "01855", "exact"),  # GSO writes Xuất Hóa
        ("P. Xuất Hoá", "01855", "exact"),
        ("XuấtHóa", "01855", "compact"),
        ("Hòa Mục", "02098", "exact"),
        ("Liêm Thủy", "02197", "exact"),
        ("LiêmThuỷ", "02197", "compact"),
        ("Ðồng Lạc", "02029", "exact"),  # U+00D0
        ("Xã Ðồng Lạc", "02029", "exact"),
        ("Dong Lac", "02029", "unaccented"),
        ("Sỹ Bình", "01978", "variant"),
        ("Xã Sỹ Bình", "01978", "variant"),
        ("Sy Binh", "01978", "variant"),
        ("Si Binh", "01978", "unaccented"),
        ("Cao Kì", "02104", "variant"),
        ("Kim Hỉ", "02146", "variant"),
        ("KimHỷ", "02146", "compact"),
        ("Bằng Lũng (thị trấn)", "02020", "exact"),
        ("TT. Bằng Lũng", "02020", "exact"),
        ("TT Bằng Lũng", "02020", "exact"),
        ("Thị Trấn Bằng Lũng", "02020", "exact"),
        ("BằngLũng", "02020", "compact"),  # GADM
        ("bằnglũng", "02020", "compact"),  # no spaces and no capitals either
        ("Thi tran Bang Lung", "02020", "unaccented"),
        ("P. Sông Cầu", "01837", "exact"),
        ("Phường Sông Cầu", "01837", "exact"),
        ("Phuong Song Cau", "01837", "unaccented"),
        ("Phong Huân", "02074", "exact"),
        ("Phong Huan", "02074", "unaccented"),
        ("Phương Linh", "01972", "exact"),
        ("Phuong Linh", "01972", "unaccented"),  # "Phuong" is the name, not Phường
        ("Phuong Vien", "02050", "unaccented"),
        ("Huyen Tung", "01846", "unaccented"),
        ("Yến Lạc", "02134", "exact"),
        ("Yên Lạc", "05623", "exact"),
        ("Lam Sơn", "02167", "exact"),
        ("Lâm Sơn", "06499", "exact"),
    ],
)
def test_resolve_accepted(index: NameIndex, text: str, code: str, how: str) -> None:
    assert accepted(index, text) == (code, how)


def test_resolve_code_respects_parent(index: NameIndex) -> None:
    assert accepted(index, "2023", parent="064") == ("02023", "code")
    assert index.resolve("2023", parent="063").how == "none"
    assert index.resolve("99999").how == "none"


def test_resolve_district_names() -> None:
    districts = NameIndex(DISTRICTS)
    for text, how in [
        ("Thành Phố Bắc Kạn", "exact"),
        ("Thành phố Bắc Kạn", "exact"),
        ("TP. Bắc Kạn", "exact"),
        ("TP Bắc Kạn", "exact"),
        ("Bắc Kạn", "exact"),
        ("ThànhPhốBắcKạn", "compact"),  # GADM NAME_2
        ("Thanh pho Bac Kan", "unaccented"),
    ]:
        assert accepted(districts, text) == ("058", how), text
    assert accepted(districts, "ChợĐồn") == ("064", "compact")
    assert accepted(districts, "H. Bạch Thông", parent="06") == ("063", "exact")


# ---- resolve: ambiguity and parents --------------------------------------------------------


def test_same_name_in_two_districts_needs_parent(index: NameIndex) -> None:
    match = index.resolve("Tân Tiến")
    assert not match.accepted
    assert (match.code, match.name, match.how) == (None, None, "ambiguous")
    assert [c.code for c in match.suggestions] == ["01993", "02461"]
    assert accepted(index, "Tân Tiến", parent="063") == ("01993", "exact")
    assert accepted(index, "Xã Tân Tiến", parent="075") == ("02461", "exact")
    assert accepted(index, "Tan Tien", parent="075") == ("02461", "unaccented")


def test_parent_compares_by_value(index: NameIndex) -> None:
    assert accepted(index, "Tân Tiến", parent="63") == ("01993", "exact")


def test_diacritics_disambiguate_but_unaccented_text_does_not(index: NameIndex) -> None:
    match = index.resolve("Lam Son")
    assert match.how == "ambiguous" and match.code is None
    assert {c.code for c in match.suggestions} == {"02167", "06499"}
    assert accepted(index, "Lam Son", parent="066") == ("02167", "unaccented")
    assert index.resolve("Yen Lac").how == "ambiguous"


def test_unit_word_separates_township_and_commune_of_one_name() -> None:
    # Bảo Thắng district (086, Lào Cai) had both in the 2020-01-01 GSO list
    index = NameIndex(
        [Candidate("02905", "Thị trấn Phố Lu", "086"), Candidate("02941", "Xã Phố Lu", "086")]
    )
    assert index.resolve("Phố Lu").how == "ambiguous"
    assert accepted(index, "TT. Phố Lu") == ("02905", "exact")
    assert accepted(index, "Phố Lu (thị trấn)") == ("02905", "exact")
    assert accepted(index, "Xa Pho Lu") == ("02941", "unaccented")
    assert accepted(index, "Xã PhốLu") == ("02941", "compact")
    assert index.resolve("Phường Phố Lu").how == "ambiguous"


def test_unknown_parent_gives_none(index: NameIndex) -> None:
    assert index.resolve("Xuân Lạc", parent="999") == Match("Xuân Lạc", None, None, "none")


# ---- resolve: never guess ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Xuân Lặc", "Xuân Lác", "Xuan Lạc", "Xuân Lạch"])
def test_misspelling_is_only_suggested(index: NameIndex, text: str) -> None:
    match = index.resolve(text)
    assert match.how == "approximate"
    assert not match.accepted
    assert match.code is None and match.name is None
    assert match.suggestions[0] == XUAN_LAC
    assert len(match.suggestions) <= 3


def test_approximate_respects_parent(index: NameIndex) -> None:
    match = index.resolve("Xuân Lặc", parent="060")
    assert match.how == "approximate"
    assert match.suggestions == (Candidate("01873", "Xã Xuân La", "060"),)


@pytest.mark.parametrize("text", ["Paris", "qwertyuiop", "12345678", "", "   ", "\u00a0"])
def test_nonsense_is_none(index: NameIndex, text: str) -> None:
    match = index.resolve(text)
    assert match == Match(text, None, None, "none")
    assert not match.accepted


def test_none_and_nan_queries(index: NameIndex) -> None:
    assert index.resolve(None).how == "none"  # type: ignore[arg-type]
    assert index.resolve(float("nan")).how == "none"  # type: ignore[arg-type]


def test_suggest(index: NameIndex) -> None:
    assert index.suggest("Xuân Lặc")[:2] == (XUAN_LAC, Candidate("01873", "Xã Xuân La", "060"))
    assert index.suggest("Xuân Lạc", n=1) == (XUAN_LAC,)
    assert index.suggest("Xuân Lạc", parent="060") == (Candidate("01873", "Xã Xuân La", "060"),)
    assert index.suggest("Paris") == ()
    assert index.suggest("Xuân Lạc", n=0) == ()


# ---- construction --------------------------------------------------------------------------


def test_from_records() -> None:
    rows = [
        {"ma": 2023, "ten": "Xã Xuân Lạc", "huyen": 64},  # numbers, as a spreadsheet gives
        {"ma": "01978", "ten": "Xã\u00a0Sĩ Bình", "huyen": "063"},
        {"ma": 1837.0, "ten": "Phường Sông Cầu", "huyen": float("nan")},
        {"ma": None, "ten": "Xã Không Mã", "huyen": "064"},  # skipped: no code
    ]
    index = NameIndex.from_records(rows, code="ma", name="ten", parent="huyen")
    assert index.units == (
        Candidate("02023", "Xã Xuân Lạc", "64"),
        Candidate("01978", "Xã Sĩ Bình", "063"),
        Candidate("01837", "Phường Sông Cầu", None),
    )
    assert accepted(index, "Xuân Lạc", parent="064") == ("02023", "exact")
    assert accepted(index, "Sông Cầu") == ("01837", "exact")
    assert NameIndex.from_records([{"code": "02023", "name": "Xã Xuân Lạc"}]).units == (
        Candidate("02023", "Xã Xuân Lạc", None),
    )


def test_duplicate_units_are_one(index: NameIndex) -> None:
    twice = NameIndex([XUAN_LAC, XUAN_LAC])
    assert len(twice) == 1
    assert accepted(twice, "Xuân Lạc") == ("02023", "exact")


def test_index_accepts_any_iterable() -> None:
    index = NameIndex(c for c in COMMUNES if c.parent == "064")
    assert len(index) == 5
    assert accepted(index, "Bằng Lũng") == ("02020", "exact")


def test_candidates_and_matches_are_frozen() -> None:
    match = Match("x", None, None, "none")
    with pytest.raises(AttributeError):
        match.code = "02023"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        XUAN_LAC.code = "1"  # type: ignore[misc]
    assert hash(XUAN_LAC) == hash(Candidate("02023", "Xã Xuân Lạc", "064"))
