package com.akkio.dbproxy.server.governed;

import java.util.function.Consumer;

/**
 * The other replicas of a cluster, for requests that reach a replica which does not hold what they name: a
 * PostgreSQL CancelRequest or the client jar's cancel that a balancer sent to another replica than the session's.
 * Such a request is announced to every replica; the one holding the session checks it as if it had received it.
 * The channel is the cluster's Redis (its password and TLS, {@code cluster.redis.uri}); what travels is what the
 * request carried (a cancel key, or a connection id with the tenant the receiving replica authenticated).
 */
public interface PeerReplicas {
    /** A single node: nothing to forward to. */
    PeerReplicas NONE = new PeerReplicas() {
        @Override
        public boolean present() {
            return false;
        }

        @Override
        public void announce(String topic, String payload) {
        }

        @Override
        public void listen(String topic, Consumer<String> handler) {
        }
    };

    /** Whether other replicas may hold what a request names. */
    boolean present();

    /** Tells every other replica; never waits for them. */
    void announce(String topic, String payload);

    /** Runs {@code handler} for every {@code topic} announcement of another replica. */
    void listen(String topic, Consumer<String> handler);
}
