"""The catalogue: validated whole with line numbers; the most specific valid one is in force."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.catalogue import CatalogueInvalid, DocumentGroup, load_catalogue, parse_catalogue
from resources import resource_path

ADMINISTRATIVE = ["Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo",
                  "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo", "Biên bản",
                  "Tờ trình", "Hợp đồng", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền", "Giấy mời",
                  "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Công văn", "Thư công"]
ABBREVIATIONS = {"Quy định": "QyĐ", "Chương trình": "CTr", "Tờ trình": "TTr", "Chỉ thị": "CT", "Công văn": None}
PROCURACY = ["Cáo trạng", "Kháng nghị phúc thẩm", "Kháng nghị giám đốc thẩm", "Kháng nghị tái thẩm", "Kiến nghị",
             "Phiếu kiểm sát", "Kết luận kiểm sát", "Yêu cầu khởi tố vụ án hình sự", "Yêu cầu điều tra",
             "Quyết định phê chuẩn lệnh tạm giam", "Quyết định phân công Kiểm sát viên", "Quyết định trưng cầu giám định",
             "Quyết định trả hồ sơ để điều tra bổ sung", "Quyết định đình chỉ vụ án", "Báo cáo án", "Kế hoạch kiểm sát"]

VALID_HEAD = """schema: kyso-catalogue/1
catalogue: {id: don-vi, name: Danh mục của đơn vị, version: "1", issued: "2026-01-02"}
roles:
  vien-truong: {name: Viện trưởng, titles: [VIỆN TRƯỞNG]}
  van-thu: {name: Văn thư}
"""


def test_default_catalogue_is_complete():
    catalogue = load_catalogue().catalogue
    assert catalogue.info.source == "built-in"
    for name in ADMINISTRATIVE + PROCURACY + ["Bản sao y", "Bản sao lục", "Bản trích sao"]:
        assert catalogue.type_named(name) is not None, name
    assert len([t for t in catalogue.types if t.group is DocumentGroup.ADMINISTRATIVE]) == 29
    for name, abbreviation in ABBREVIATIONS.items():
        assert catalogue.type_named(name).abbreviations == ((abbreviation,) if abbreviation else ())
    assert {t.name for t in catalogue.types if "CT" in t.abbreviations} == {"Chỉ thị", "Cáo trạng"}


def test_invalid_catalogue_lists_every_problem_with_its_line():
    text = VALID_HEAD + """document_types:
  - name: Quyết định
    group: administrative
    abbreviations: [QĐ]
    titles: [QUYẾT ĐỊNH]
    signatures: khong-co-ho-so
  - name: Quyết định
    group: hanh-chinh
    abbreviations: [QĐ]
    titles: [QUYẾT ĐỊNH]
    signatures:
      - {kind: organisation, roles: [van-thu], level: B-LT, placement: over-personal}
"""
    with pytest.raises(CatalogueInvalid) as caught:
        parse_catalogue(text, source="test")
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [(13, "document_types[1].group")]  # schema problems first
    fixed = text.replace("group: hanh-chinh", "group: administrative")
    with pytest.raises(CatalogueInvalid) as again:
        parse_catalogue(fixed, source="test")
    found = {(p.line, p.field) for p in again.value.problems}
    assert (11, "document_types[0].signatures") in found  # unknown profile
    assert (12, "document_types[1].name") in found  # duplicate name
    assert (17, "document_types[1].signatures") in found  # organisation without personal


def test_yaml_syntax_error_has_a_line():
    with pytest.raises(CatalogueInvalid) as caught:
        parse_catalogue(VALID_HEAD + "document_types: [\n  {name: x,\n", source="test")
    assert caught.value.problems[0].line >= 6


def test_unknown_role_is_reported_at_its_line():
    text = VALID_HEAD + """document_types:
  - name: Cáo trạng
    group: procedural
    abbreviations: [CT]
    titles: [CÁO TRẠNG]
    signatures:
      - {kind: personal, roles: [pho-vien-truong], level: B-LT, placement: signer-block}
"""
    with pytest.raises(CatalogueInvalid) as caught:
        parse_catalogue(text, source="test")
    assert [(p.line, p.field) for p in caught.value.problems] == [(12, "document_types[0].signatures[0].roles[0]")]


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


MACHINE = VALID_HEAD.replace("id: don-vi", "id: vks-ha-noi") + """document_types:
  - name: Cáo trạng
    group: procedural
    abbreviations: [CT]
    titles: [CÁO TRẠNG]
    signatures:
      - {kind: personal, roles: [vien-truong], level: B-LTA, placement: signer-block}
      - {kind: organisation, roles: [van-thu], level: B-LTA, placement: over-personal}
"""


def test_machine_wide_catalogue_overrides_the_default(tmp_path, monkeypatch, kyso_home):
    monkeypatch.setenv("KYSO_POLICY_DIR", str(tmp_path / "policy"))
    _write(tmp_path / "policy", "catalogue.yaml", MACHINE)
    loaded = load_catalogue()
    assert loaded.catalogue.info.id == "vks-ha-noi" and loaded.catalogue.info.source == "machine"
    assert loaded.catalogue.type_named("Cáo trạng").signatures[0].level == "B-LTA"
    assert loaded.catalogue.type_named("Quyết định") is None  # the unit's catalogue replaces the default

    _write(kyso_home / "server", "catalogue.yaml", MACHINE.replace("vks-ha-noi", "tu-may-chu"))
    assert load_catalogue().catalogue.info.source == "server"


def test_invalid_machine_catalogue_leaves_the_previous_one_in_force(tmp_path, monkeypatch):
    monkeypatch.setenv("KYSO_POLICY_DIR", str(tmp_path / "policy"))
    _write(tmp_path / "policy", "catalogue.yaml", MACHINE.replace("level: B-LTA, placement: over", "level: B-X, placement: over"))
    loaded = load_catalogue()
    assert loaded.catalogue.info.source == "built-in"
    assert len(loaded.rejected) == 1 and loaded.rejected[0].source == "machine"


def test_cli_validate_and_show(run_kyso, tmp_path, monkeypatch):
    bad = _write(tmp_path, "sai.yaml", MACHINE.replace("roles: [vien-truong]", "roles: [khong-co]"))
    result = run_kyso("catalogue", "validate", str(bad), "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems == [{"line": 12, "field": "document_types[0].signatures[0].roles[0]",
                         "message": "unknown role 'khong-co'"}]
    good = _write(tmp_path, "dung.yaml", MACHINE)
    assert run_kyso("catalogue", "validate", str(good)).returncode == 0
    shown = run_kyso("catalogue", "show", "--json")
    assert json.loads(shown.stdout)["catalogue"]["source"] == "built-in"


def test_documented_example_is_valid():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", docs, flags=re.S).group(1)
    catalogue = parse_catalogue(example, source="docs/catalogue.md")
    assert catalogue.types


def test_schema_is_published_json():
    schema = json.loads(resource_path("catalogue", "catalogue.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/")


# --- a catalogue from the network (the server's upload, a workstation's sync) is hostile input -----

_DEFAULT = resource_path("catalogue", "default.yaml").read_text(encoding="utf-8")


def _with_extra_roles(block: str) -> str:
    anchor = "roles:\n"
    return _DEFAULT.replace(anchor, anchor + block, 1)


def _alias_bomb(fan_out: int, depth: int, where: str) -> str:
    """`depth` levels of `fan_out` aliases to the level below: fan_out**depth values once expanded."""
    words = ", ".join(["lol"] * fan_out)
    lines = [f"  bomb0:\n    name: x\n    titles: &b0 [{words}]\n"]
    for level in range(1, depth):
        lines.append(f"  bomb{level}:\n    name: x\n    {where}: &b{level} [{', '.join([f'*b{level - 1}'] * fan_out)}]\n")
    return _with_extra_roles("".join(lines))


@pytest.mark.parametrize("fan_out, depth", [(9, 9), (30, 5), (2, 40), (1000, 3)])
@pytest.mark.parametrize("where", ["titles", "extra"])
def test_an_alias_bomb_is_refused_at_once_with_its_line(fan_out, depth, where):
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue(_alias_bomb(fan_out, depth, where), source="upload")
    problems = refused.value.problems
    assert [problem.field for problem in problems] == ["(yaml)"]
    assert "aliases" in problems[0].message and problems[0].line > 1


def test_an_alias_that_contains_itself_is_refused():
    text = _with_extra_roles("  loop:\n    name: x\n    titles: &self [a, *self]\n")
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue(text, source="upload")
    assert "refers to the node that contains it" in refused.value.problems[0].message


def test_a_few_honest_aliases_still_load():
    text = _with_extra_roles("  a:\n    name: A\n    titles: &same [\"TRƯỞNG BAN\"]\n"
                             "  b:\n    name: B\n    titles: *same\n")
    assert parse_catalogue(text, source="upload").role("b").titles == ("TRƯỞNG BAN",)


def test_a_problem_never_quotes_more_than_a_line_of_the_value():
    huge = "[" + ", ".join(f"[{i}]" for i in range(3_000)) + "]"
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue(_with_extra_roles(f"  odd:\n    name: x\n    titles: {huge}\n"), source="upload")
    assert refused.value.problems and all(len(problem.message) < 400 for problem in refused.value.problems)


def test_an_oversized_catalogue_is_refused_before_parsing():
    with pytest.raises(CatalogueInvalid) as refused:
        parse_catalogue(_DEFAULT + "#" * (5 * 1024 * 1024), source="upload")
    assert refused.value.problems[0].field == "(file)"
