package dev.bellwether.platform;

import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** Runs a cache invalidation now and again once the caller's transaction has ended, committed or not. */
public final class AfterTransaction {

    private AfterTransaction() {
    }

    public static void nowAndAfter(TransactionSynchronizationRegistry transactions, Runnable action) {
        action.run();
        if (transactions.getTransactionKey() != null) {
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    action.run();
                }
            });
        }
    }
}
