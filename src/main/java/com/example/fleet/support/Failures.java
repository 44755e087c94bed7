package com.example.fleet.support;

import java.net.ConnectException;

/** What a failed network call tells about its peer, read from the exception chain. */
public final class Failures {

    /** Deep enough for any client's wrapping, bounded in case of a cause cycle. */
    private static final int MAX_DEPTH = 32;

    private Failures() {
    }

    /**
     * Nobody accepted the connection: refused, or a connect timeout (which Netty reports as a subclass of
     * {@link ConnectException}). The request never left, so it cannot have had any effect.
     */
    public static boolean couldNotConnect(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
