"""The simulated Kafka producer, in Kafka's own parts: partitioner, accumulator, buffer pool, sender."""

from app.sim.producer.accumulator import RecordAccumulator
from app.sim.producer.buffer_pool import BufferPool
from app.sim.producer.partitioner import BuiltInPartitioner, NullKeyStrategy, RoundRobinPartitioner, StickyPartitioner
from app.sim.producer.producer import KafkaProducer
from app.sim.producer.sender import Sender

__all__ = ["BufferPool", "BuiltInPartitioner", "KafkaProducer", "NullKeyStrategy", "RecordAccumulator",
           "RoundRobinPartitioner", "Sender", "StickyPartitioner"]
