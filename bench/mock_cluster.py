"""A librdkafka mock cluster with topics of a chosen size, for the benchmark and the oracle tests.

confluent-kafka's ``test.mock.num.brokers`` starts a mock cluster that auto-creates
topics with 4 partitions, and its admin API cannot create others (the mock's
controller id is not a broker, so CreateTopics times out).  The librdkafka that
confluent-kafka bundles has a C API for it, ``rd_kafka_mock_topic_create``: this
module loads that library with ctypes, starts a cluster from C, creates topics with
the partition counts wanted, and hands out its bootstrap servers for an ordinary
Python ``Producer`` or ``Consumer``.
"""

from __future__ import annotations

import ctypes
import glob
import os

__all__ = ["MockCluster", "find_librdkafka"]


def find_librdkafka() -> ctypes.CDLL | None:
    """The librdkafka bundled with confluent-kafka, or None (not installed, or a wheel without one)."""
    try:
        import confluent_kafka
    except ImportError:
        return None
    libs = os.path.join(os.path.dirname(confluent_kafka.__file__), os.pardir, "confluent_kafka.libs")
    found = sorted(glob.glob(os.path.join(libs, "librdkafka*.so*")))
    return ctypes.CDLL(found[0]) if found else None


class MockCluster:
    """``brokers`` mock brokers in this process; ``close()`` stops them."""

    def __init__(self, lib: ctypes.CDLL, brokers: int = 3) -> None:
        self._lib = lib
        lib.rd_kafka_conf_new.restype = ctypes.c_void_p
        lib.rd_kafka_conf_set.restype = ctypes.c_int
        lib.rd_kafka_conf_set.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
        ]
        lib.rd_kafka_new.restype = ctypes.c_void_p
        lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
        lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
        lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
        lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
        lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
        lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
        errstr = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        # This handle only hosts the mock cluster: silence its "no bootstrap.servers" warning.
        lib.rd_kafka_conf_set(conf, b"log_level", b"3", errstr, len(errstr))
        self._rk = lib.rd_kafka_new(0, conf, errstr, len(errstr))  # 0 = producer
        if not self._rk:
            raise RuntimeError(f"rd_kafka_new failed: {errstr.value.decode()}")
        self._cluster = lib.rd_kafka_mock_cluster_new(self._rk, brokers)
        if not self._cluster:
            lib.rd_kafka_destroy(self._rk)
            raise RuntimeError(f"rd_kafka_mock_cluster_new failed for {brokers} brokers")
        self.bootstrap_servers: str = lib.rd_kafka_mock_cluster_bootstraps(self._cluster).decode()

    def create_topic(self, name: str, partitions: int, replication_factor: int = 1) -> None:
        err = self._lib.rd_kafka_mock_topic_create(self._cluster, name.encode(), partitions, replication_factor)
        if err != 0:
            raise RuntimeError(f"rd_kafka_mock_topic_create({name!r}, {partitions}, {replication_factor}) "
                               f"failed with error code {err}")

    def close(self) -> None:
        self._lib.rd_kafka_mock_cluster_destroy(self._cluster)
        self._lib.rd_kafka_destroy(self._rk)
