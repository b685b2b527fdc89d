"""A Kafka terminal: Kafka's command-line tools on a simulated cluster (the browser terminal, ``brokerlab shell``)."""
