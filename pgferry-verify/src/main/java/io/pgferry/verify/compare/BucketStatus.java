package io.pgferry.verify.compare;

import java.util.Locale;

/** Why a bucket differs; the names are pg-sync-guard's. */
public enum BucketStatus {
    MISSING_ON_PUBLISHER,
    MISSING_ON_SUBSCRIBER,
    COUNT_MISMATCH,
    HASH_MISMATCH;

    /** {@code missing_on_publisher}, ... as in reports and the control plane. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status of two bucket states, null when they agree. A null state is a bucket absent on that side. */
    static BucketStatus of(BucketState publisher, BucketState subscriber) {
        boolean onPublisher = publisher != null && publisher.present();
        boolean onSubscriber = subscriber != null && subscriber.present();
        if (!onPublisher && !onSubscriber) {
            return null;
        }
        if (!onPublisher) {
            return MISSING_ON_PUBLISHER;
        }
        if (!onSubscriber) {
            return MISSING_ON_SUBSCRIBER;
        }
        if (publisher.rows() != subscriber.rows()) {
            return COUNT_MISMATCH;
        }
        return publisher.hash() == subscriber.hash() ? null : HASH_MISMATCH;
    }
}
