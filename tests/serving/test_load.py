"""Bounded load: 4 concurrent clients x 100 requests over loopback, zero failures."""

from __future__ import annotations

import threading

import numpy as np
import tensorflow as tf
from toy_export import MODEL, toy_images

from serving.client import GrpcClient, RestClient

CLIENTS = 4
REQUESTS = 100


def test_four_clients_hundred_requests_each_without_failure(toy_server, toy_export) -> None:
    loaded = tf.saved_model.load(str(toy_export.version_dir))
    images = toy_images(CLIENTS, seed=9)
    expected = loaded.signatures["serving_default"](image=images)["image"].numpy()
    failures: list[str] = []
    done = [0] * CLIENTS

    def client_loop(index: int) -> None:
        # two gRPC clients, two REST clients; each checks its own answers
        client = (
            GrpcClient(toy_server.grpc_address, timeout=30)
            if index % 2 == 0
            else RestClient(toy_server.rest_address, timeout=30)
        )
        try:
            for _ in range(REQUESTS):
                outputs = client.predict(MODEL, {"image": images[index : index + 1]})
                if not np.array_equal(outputs["image"][0], expected[index]):
                    failures.append(f"client {index}: wrong answer")
                done[index] += 1
        except Exception as error:  # counted as a failure
            failures.append(f"client {index}: {error!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert done == [REQUESTS] * CLIENTS
