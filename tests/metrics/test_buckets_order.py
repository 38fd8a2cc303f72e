"""The sort order of pose-bucket labels (tables of tfface evaluate and the studies)."""

from __future__ import annotations

from tfface.metrics.buckets import bucket_label, bucket_order


def test_buckets_sort_by_angle_whatever_the_set_order() -> None:
    labels = {bucket_label(centre) for centre in (90, 0, 45, 15, 60, 30, 75)} | {"all"}
    expected = ["0", "±15", "±30", "±45", "±60", "±75", "±90", "all"]
    assert sorted(labels, key=bucket_order) == expected
