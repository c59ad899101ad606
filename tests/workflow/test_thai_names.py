"""Names of agencies and people, compared as the counting rules compare them (worked by hand)."""

import pytest

from services.workflow.thai_names import TITLES, normalise_name, normalise_person


@pytest.mark.parametrize(
    "a, b",
    [
        ("สำนักงาน ก.พ.ร.", "สำนักงานก.พ.ร."),
        ("สำนักงาน  ก.พ.ร. ", " สำนักงาน\u00a0ก.พ.ร."),
        ("กรม\u200bประชาสัมพันธ์", "กรมประชาสัมพันธ์"),
        ("OPDC Office", "  opdc   office "),
        ("ศาลากลางจังหวัดลำปาง", "ศาลากลางจังหวัดล\u0e4d\u0e32ปาง"),
        ("e\u0301cole", "\u00e9cole"),
    ],
)
def test_names_that_differ_only_in_spacing_case_or_encoding_are_the_same(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_latin_words_stay_apart():
    assert normalise_name("Thai Airways") != normalise_name("ThaiAirways")


# Each line: as written, and the name left once its titles are stripped (compared form).
@pytest.mark.parametrize(
    "written, name",
    [
        # civil
        ("นายสมชาย ใจดี", "สมชายใจดี"),
        ("นาย สมชาย ใจดี", "สมชายใจดี"),
        ("นางสาวสมศรี", "สมศรี"),
        ("น.ส.สมศรี", "สมศรี"),
        ("นาง สาวิตรี", "สาวิตรี"),
        ("นางสาว สาวิตรี", "สาวิตรี"),
        ("นางสาวสาวิตรี", "สาวิตรี"),
        # glued and ambiguous: นางสาว would leave "ิตรี", so it is นาง + สาวิตรี
        ("นางสาวิตรี", "สาวิตรี"),
        # military, with ว่าที่ and หญิง
        ("ว่าที่ ร.ต. สมชาย ใจดี", "สมชายใจดี"),
        ("ว่าที่ร้อยตรี ดร.สมชาย ใจดี", "สมชายใจดี"),
        ("ว่าที่ร้อยตรีหญิง สมศรี", "สมศรี"),
        ("ว่าที่ ร.ต.หญิง สมศรี", "สมศรี"),
        ("พันเอก สมชาย", "สมชาย"),
        ("พันเอกหญิงสมศรี", "สมศรี"),
        ("พล.อ.สมชาย", "สมชาย"),
        ("จ.ส.อ. สมชาย", "สมชาย"),
        ("น.อ.สมชาย", "สมชาย"),
        ("พล.อ.อ. สมชาย", "สมชาย"),
        # police
        ("ร.ต.อ.หญิง สมศรี", "สมศรี"),
        ("ร.ต.อ. หญิง สมศรี", "สมศรี"),
        ("พ.ต.อ.สมชาย", "สมชาย"),
        ("ด.ต.สมชาย", "สมชาย"),
        ("จ.ส.ต. สมชาย", "สมชาย"),
        ("ดาบตำรวจสมชาย", "สมชาย"),
        # academic
        ("ดร.สมชาย", "สมชาย"),
        ("ดร. สมชาย", "สมชาย"),
        ("รศ.ดร.สมชาย", "สมชาย"),
        ("ผู้ช่วยศาสตราจารย์ สมชาย", "สมชาย"),
        # medical
        ("นพ.สมชาย", "สมชาย"),
        ("นายแพทย์สมชาย", "สมชาย"),
        ("พญ. สมศรี", "สมศรี"),
        ("ทพญ.สมศรี", "สมศรี"),
        # royal
        ("ม.ร.ว.สมชาย", "สมชาย"),
        ("ม.ล. สมชาย", "สมชาย"),
        ("หม่อมหลวงสมชาย", "สมชาย"),
        # courtesy
        ("คุณสมชาย", "สมชาย"),
        ("คุณ สมชาย", "สมชาย"),
        # Latin
        ("Mr. John Smith", "john smith"),
        ("Dr.Who", "who"),
        # never cutting into a name
        ("คุณากร", "คุณากร"),
        ("ดรุณี", "ดรุณี"),
        ("Drake Bell", "drake bell"),
        ("นาย", "นาย"),
        ("สมชาย\u200bใจดี", "สมชายใจดี"),
    ],
)
def test_a_persons_name_is_compared_without_the_titles_before_it(written, name):
    assert normalise_person(written) == name


def test_the_table_holds_every_kind_of_title():
    assert set(TITLES) == {
        "civil",
        "military and police",
        "academic",
        "medical",
        "royal",
        "courtesy",
        "latin",
    }


def test_different_people_stay_apart():
    assert normalise_person("นายสมชาย ใจดี") != normalise_person("นายสมชัย ใจดี")
