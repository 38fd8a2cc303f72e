"""ImagePool: CycleGAN's history of 50 generated images, eager and in tf.function."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.layers import ImagePool

SHAPE = (2, 2, 1)


def mirrored_strategy(devices: list[str]) -> tf.distribute.MirroredStrategy:
    """MirroredStrategy without collective ops: two MirroredStrategy objects over the same
    devices in one process reuse collective keys and abort each other's all-reduces
    ("Shape mismatch in the collective instance 100"), so tests that build their own
    strategy reduce on one device instead."""
    return tf.distribute.MirroredStrategy(
        devices, cross_device_ops=tf.distribute.ReductionToOneDevice()
    )


def images(ids) -> np.ndarray:
    """Constant images whose value is their id, (len(ids), 2, 2, 1)."""
    ids = np.asarray(ids, "float32")
    return np.broadcast_to(ids[:, None, None, None], (len(ids), *SHAPE)).copy()


def ids_of(batch) -> list[int]:
    return [int(round(v)) for v in np.asarray(batch).reshape(len(batch), -1)[:, 0]]


def stored_ids(pool: ImagePool) -> list[int]:
    count = int(pool.count.numpy())
    return ids_of(pool.images.numpy()[:count])


def test_fills_to_pool_size_returning_the_new_images() -> None:
    pool = ImagePool(SHAPE, pool_size=50, seed=0)
    for start in range(0, 50, 10):
        out = pool(images(range(start, start + 10)))
        assert ids_of(out) == list(range(start, start + 10))
    assert int(pool.count.numpy()) == 50
    assert stored_ids(pool) == list(range(50))


def test_full_pool_swaps_with_probability_one_half_and_conserves_images() -> None:
    pool = ImagePool(SHAPE, pool_size=50, seed=1)
    pool(images(range(50)))
    from_pool, queried = 0, 0
    for start in range(100, 400, 4):
        batch_ids = list(range(start, start + 4))
        before = stored_ids(pool)
        out = ids_of(pool(images(batch_ids)))
        assert sorted(before + batch_ids) == sorted(stored_ids(pool) + out)
        for new, returned in zip(batch_ids, out, strict=True):
            assert returned == new or returned in before or returned in batch_ids
            from_pool += returned != new
            queried += 1
    assert int(pool.count.numpy()) == 50
    assert abs(from_pool / queried - 0.5) < 0.12  # binomial: n = 300, std 0.029


def test_same_seed_same_outputs_eager_and_in_tf_function() -> None:
    eager, traced, other = (ImagePool(SHAPE, pool_size=5, seed=s) for s in (3, 3, 4))
    traced_call = tf.function(traced.__call__)
    outputs = {"eager": [], "traced": [], "other": []}
    for start in range(0, 60, 6):
        batch = images(range(start, start + 6))
        outputs["eager"] += ids_of(eager(batch))
        outputs["traced"] += ids_of(traced_call(tf.constant(batch)))
        outputs["other"] += ids_of(other(batch))
    assert outputs["eager"] == outputs["traced"]
    assert outputs["eager"] != outputs["other"]
    assert outputs["eager"] != list(range(60))  # stored images were returned


def test_checkpoint_restores_images_count_and_random_state(tmp_path) -> None:
    pool = ImagePool(SHAPE, pool_size=4, seed=2)
    pool(images(range(6)))
    path = tf.train.Checkpoint(pool=pool).write(str(tmp_path / "pool"))
    restored = ImagePool(SHAPE, pool_size=4, seed=99)
    tf.train.Checkpoint(pool=restored).read(path).assert_consumed()
    assert stored_ids(restored) == stored_ids(pool)
    batch = images(range(10, 20))
    assert ids_of(restored(batch)) == ids_of(pool(batch))


def test_zero_pool_size_passes_images_through() -> None:
    pool = ImagePool(SHAPE, pool_size=0)
    np.testing.assert_array_equal(pool(images([1, 2])), images([1, 2]))


def test_per_replica_pools_under_mirrored_strategy() -> None:
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    strategy = mirrored_strategy(devices)
    with strategy.scope():
        pool = ImagePool(SHAPE, pool_size=8, seed=0)

    @tf.function
    def step(batch):
        return strategy.run(pool, args=(batch,))

    dataset = tf.data.Dataset.from_tensors(images(range(2 * len(devices)))).repeat(3)
    for batch in strategy.experimental_distribute_dataset(dataset):
        out = strategy.gather(step(batch), axis=0)
        assert out.shape == (2 * len(devices), *SHAPE)
    assert int(pool.count.numpy()) == 6  # each replica stored its 2 images per step
    for replica, local in enumerate(strategy.experimental_local_results(pool.images)):
        own = [2 * replica, 2 * replica + 1]
        assert ids_of(local.numpy()[:6]) == own * 3


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="image_shape"):
        ImagePool((4, 4))
    with pytest.raises(ValueError, match="pool_size"):
        ImagePool(SHAPE, pool_size=-1)
    with pytest.raises(ValueError, match="swap_probability"):
        ImagePool(SHAPE, swap_probability=1.5)
    with pytest.raises(ValueError, match="expects images"):
        ImagePool(SHAPE)(np.zeros((2, 3, 2, 1), "float32"))
