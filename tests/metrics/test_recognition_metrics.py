"""Face-recognition protocols: LFW pairs files, TAR@FAR, balanced pairs, frontal gallery,
and the metrics of an embedding export (tfface.metrics.evaluation_recognition)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tfface.metrics.evaluation_recognition import pairs_from_file, recognition_metrics
from tfface.metrics.identity import frontal_gallery
from tfface.metrics.verification import (
    balanced_pairs,
    best_threshold,
    nth_outside,
    read_pairs_file,
    tar_at_far,
    verification_accuracy,
)

PAIRS = """2 2
Alice 1 2
Bob 1 3
Alice 1 Bob 2
Carol 2 Dave 1
Carol 1 2
Dave 1 2
Alice 2 Carol 1
Bob 3 Dave 2
"""


def test_pairs_file_layout(tmp_path: Path) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text(PAIRS)
    parsed = read_pairs_file(str(path))
    assert (parsed.folds, parsed.per_fold) == (2, 2)
    assert parsed.same == (True, True, False, False, True, True, False, False)
    assert parsed.pairs[0] == ("Alice", 1, "Alice", 2)
    assert parsed.pairs[3] == ("Carol", 2, "Dave", 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("two 3\n", "first line"),
        ("1 1\nAlice 1\nAlice 1 Bob 1\n", "expected 'name n1 n2'"),
        ("1 2\nAlice 1 2\nAlice 1 Bob 1\n", "promises 1 folds"),
        ("1 1\nAlice one 2\nAlice 1 Bob 1\n", "expected 'name n1 n2'"),
    ],
)
def test_bad_pairs_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_pairs_file(str(path))


def test_pairs_are_found_by_key_suffix(tmp_path: Path) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text(PAIRS)
    names = ["Alice_0001", "Alice_0002", "Bob_0001", "Bob_0002", "Bob_0003"]
    names += ["Carol_0001", "Carol_0002", "Dave_0001", "Dave_0002"]
    keys = [f"image_folder/photo/{name[:-5]}/{name}.jpg" for name in names]
    first, second, same, folds = pairs_from_file(path, keys)
    assert folds == 2 and same.tolist() == [True, True, False, False] * 2
    assert (first[0], second[0]) == (0, 1) and (first[3], second[3]) == (6, 7)
    with pytest.raises(ValueError, match="not in the split"):
        pairs_from_file(path, keys[:-1])


def test_tar_at_far_hand_built() -> None:
    # different: 0.9 0.5 0.4 0.3 0.2 0.1 0.0 -0.1 -0.2 -0.3 ; same: 0.95 0.85 0.45 0.35
    different = np.array([0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.3])
    same_scores = np.array([0.95, 0.85, 0.45, 0.35])
    scores = np.concatenate([same_scores, different])
    same = np.arange(14) < 4
    # FAR 0.1: one of 10 false accepts allowed -> threshold = the 2nd largest different, 0.5
    assert tar_at_far(scores, same, 0.1) == (0.5, 0.5)
    # FAR 0.05: no false accept -> threshold 0.9, only 0.95 passes
    assert tar_at_far(scores, same, 0.05) == (0.25, 0.9)
    assert tar_at_far(scores, same, 1.0)[0] == 1.0
    with pytest.raises(ValueError, match="FAR must lie"):
        tar_at_far(scores, same, 0.0)
    with pytest.raises(ValueError, match="both"):
        tar_at_far(scores[:4], same[:4], 0.1)


def test_threshold_selection_and_folds_hand_built() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    same = np.array([False, False, False, True, True, True])
    assert best_threshold(scores, same) == pytest.approx(0.5)
    result = verification_accuracy(np.tile(scores, 2), np.tile(same, 2), folds=2)
    assert result.accuracy == 1.0 and result.auc == 1.0


def test_balanced_pairs_are_balanced_valid_and_seeded() -> None:
    identities = np.repeat(np.arange(6), 4)
    first, second, same = balanced_pairs(identities, 40, seed=3)
    assert same.size == 40 and same.sum() == 20 and same[0::2].all() and not same[1::2].any()
    assert np.array_equal(identities[first] == identities[second], same)
    assert (first != second).all() and len(set(zip(first, second, strict=True))) == 40
    again = balanced_pairs(identities, 40, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((first, second, same), again, strict=True))
    with pytest.raises(ValueError, match="max_pairs"):
        balanced_pairs(identities, 1)


def test_frontal_gallery_takes_the_most_frontal_image_per_identity() -> None:
    identities = np.array([0, 0, 0, 1, 1, 2])
    yaws = np.array([30.0, -5.0, 0.0, 45.0, -15.0, 60.0])
    gallery, probes = frontal_gallery(identities, yaws)
    assert gallery.tolist() == [2, 4, 5] and probes.tolist() == [0, 1, 3]
    with pytest.raises(ValueError, match="one yaw per example"):
        frontal_gallery(identities, yaws[:-1])


def test_recognition_metrics_of_separable_embeddings() -> None:
    rng = np.random.default_rng(0)
    identities = np.repeat(np.arange(8), 5)
    yaws = np.tile([0.0, 15.0, -30.0, 45.0, 60.0], 8)
    centres = rng.normal(size=(8, 16))
    embeddings = centres[identities] + 0.05 * rng.normal(size=(40, 16))
    embeddings[identities == 7] = centres[0] + 0.05 * rng.normal(size=(5, 16))  # 7 looks like 0
    metrics, by, notes = recognition_metrics(embeddings, identities, yaws)
    assert metrics["rank1"]["gallery"] == 8 and metrics["rank1"]["probes"] == 32
    assert 0.75 <= metrics["rank1"]["accuracy"] < 1.0  # identity 0 and 7 are confused
    assert set(by) == {"±15", "±30", "±45", "±60"} and all(row["count"] == 8 for row in by.values())
    assert 0.85 < metrics["verification"]["accuracy"] <= 1.0
    assert metrics["cosine_same"] > metrics["cosine_different"]
    assert set(metrics["tar_at_far"]) <= {"0.001", "0.01", "0.1"} and "0.1" in metrics["tar_at_far"]
    metrics, by, notes = recognition_metrics(embeddings, None, None)
    assert metrics == {} and any("no 'identity'" in note for note in notes)


def test_nth_outside_matches_a_listing_and_pairs_scale_to_large_splits() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        size = int(rng.integers(2, 30))
        members = np.sort(rng.choice(size, int(rng.integers(1, size)), replace=False))
        outside = sorted(set(range(size)) - set(members.tolist()))
        assert [nth_outside(members, k) for k in range(len(outside))] == outside
    identities = rng.integers(0, 2000, 50_000)  # O(N^2) took minutes here; now well under 5 s
    first, second, same = balanced_pairs(identities, 2000, seed=1)
    assert same.size == 2000 and np.array_equal(identities[first] == identities[second], same)
