"""History buffer of generated images for discriminator updates (CycleGAN image pool)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from tfface.layers._validation import check_positive_int


class ImagePool(tf.Module):
    """Keeps up to `pool_size` generated images and mixes them into the discriminator's input.

    Liu 2019, Sec. 4.2.2: "We update the discriminators using a history of generated
    images rather than the latest generated ones. We keep an image buffer that stores the 50
    previously created images" (Shrivastava et al. 2017; Zhu et al. 2017). For each image of a
    query batch, in order (CycleGAN's ImagePool.query):
      - while the pool holds fewer than pool_size images, store it and return it;
      - then, with probability `swap_probability` (0.5), return a uniformly chosen stored image
        and store the new one in its place; otherwise return the new image.
    With pool_size=0 queries return their input.

    Not a Keras layer: a tf.Module whose state lives in tf.Variables (pool, count) and whose
    randomness comes from a keras.random.SeedGenerator, so it runs eagerly and inside
    tf.function train steps, and a tf.train.Checkpoint (or a Keras model holding it as an
    attribute) saves and restores it, seed state included. Variables are created at
    construction: build it in `strategy.scope()` under tf.distribute. They are
    synchronised ON_READ, so under MirroredStrategy every replica keeps its own pool of its
    own images (checkpoints store the first replica's pool). The SeedGenerator state is
    mirrored, so replicas draw the same random numbers (for different images).

    Args:
        image_shape: (H, W, C) of the stored images.
        pool_size: number of stored images (50 in the thesis); 0 disables the pool.
        swap_probability: probability of returning a stored image once the pool is full.
        seed: seed of the SeedGenerator (None: random).
        dtype: of the stored images (float32: images in [-1, 1]).
        name: module name.

    Call: pool(images (B, H, W, C)) -> (B, H, W, C), a mix of `images` and stored images.
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        pool_size: int = 50,
        swap_probability: float = 0.5,
        seed: int | None = None,
        dtype: str = "float32",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        image_shape = tuple(image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"ImagePool image_shape must be (H, W, C), got {image_shape}.")
        for size in image_shape:
            check_positive_int(size, "ImagePool image_shape entries")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"ImagePool pool_size must be an int >= 0, got {pool_size!r}.")
        if not 0.0 <= swap_probability <= 1.0:
            raise ValueError(
                f"ImagePool swap_probability must be in [0, 1], got {swap_probability!r}."
            )
        self.image_shape = image_shape
        self.pool_size = pool_size
        self.swap_probability = float(swap_probability)
        self.dtype = tf.as_dtype(dtype)
        local = {
            "trainable": False,
            "synchronization": tf.VariableSynchronization.ON_READ,
            "aggregation": tf.VariableAggregation.ONLY_FIRST_REPLICA,
        }
        self.images = tf.Variable(
            tf.zeros((pool_size, *image_shape), self.dtype), name="images", **local
        )
        self.count = tf.Variable(0, dtype=tf.int32, name="count", **local)  # images stored
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.seed_state = self.seed_generator.state  # tracked for checkpoints

    def __call__(self, images: tf.Tensor) -> tf.Tensor:
        images = tf.cast(tf.convert_to_tensor(images), self.dtype)  # (B, H, W, C)
        if images.shape.rank != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"ImagePool expects images (B, {', '.join(map(str, self.image_shape))}), "
                f"got shape {tuple(images.shape)}."
            )
        if self.pool_size == 0:
            return images
        batch = tf.shape(images)[0]
        uniform = keras.random.uniform((batch,), seed=self.seed_generator)  # (B,) in [0, 1)
        slots = keras.random.randint((batch,), 0, self.pool_size, seed=self.seed_generator)

        def step(index, pool, count, outputs):
            image = images[index]  # (H, W, C)

            def store():
                return tf.tensor_scatter_nd_update(pool, [[count]], image[None]), count + 1, image

            def swap():
                slot = slots[index]
                stored = pool[slot]
                return tf.tensor_scatter_nd_update(pool, [[slot]], image[None]), count, stored

            def keep():
                return pool, count, image

            def when_full():
                return tf.cond(uniform[index] < self.swap_probability, swap, keep)

            pool, count, output = tf.cond(count < self.pool_size, store, when_full)
            return index + 1, pool, count, outputs.write(index, output)

        outputs = tf.TensorArray(self.dtype, size=batch, element_shape=self.image_shape)
        _, pool, count, outputs = tf.while_loop(
            lambda index, *_: index < batch,
            step,
            (tf.constant(0), tf.identity(self.images), tf.identity(self.count), outputs),
        )
        self.images.assign(pool)
        self.count.assign(count)
        result = outputs.stack()
        result.set_shape(images.shape)
        return result
