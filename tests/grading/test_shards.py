"""course grade --shard K/N: N graders share a class, each student graded exactly once."""

from __future__ import annotations

import pytest


def test_shards_split_a_class_into_disjoint_parts_that_cover_it(tmp_path):
    from course_lib.grading.submissions import discover, parse_shard, shard_of

    students = [f"student{i:03d}" for i in range(60)]
    for s in students:
        (tmp_path / "submitted" / s).mkdir(parents=True)
        (tmp_path / "submitted" / s / "02_derivatives.ipynb").write_text("{}")
    found = [c.student for c in discover([tmp_path / "submitted"])]
    assert sorted(found) == students
    parts = [{s for s in found if shard_of(s, 4) == k} for k in range(4)]
    assert set().union(*parts) == set(students)
    assert sum(len(p) for p in parts) == len(students)
    assert all(parts)  # 60 names over 4 shards: none empty
    assert parse_shard("3/8") == (3, 8)
    for bad in ("8/8", "a/b", "3", "-1/4"):
        with pytest.raises(ValueError, match="--shard"):
            parse_shard(bad)
