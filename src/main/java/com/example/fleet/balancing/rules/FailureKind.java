package com.example.fleet.balancing.rules;

import java.util.concurrent.CancellationException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status.Family;

import com.example.fleet.support.Failures;

/** What a failed call says about the instance it went to, read from the error the REST client reported. */
public enum FailureKind {

    /** Nobody accepted the connection: the instance is gone. */
    REFUSED,
    /** A client error (4xx) answered: the instance works, the request did not. */
    CLIENT_ERROR,
    /** A 5xx answer, a timeout, a reset: the instance may be failing. */
    FAILED,
    /**
     * Given up because another try of the same call answered first (a hedge won): the instance was slower than
     * that, but may be healthy.
     */
    ABANDONED;

    /** Deep enough for any client's wrapping, bounded in case of a cause cycle. */
    private static final int MAX_DEPTH = 32;

    public static FailureKind of(Throwable error) {
        if (error instanceof CancellationException) {
            return ABANDONED;
        }
        if (Failures.couldNotConnect(error)) {
            return REFUSED;
        }
        Throwable cause = error;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof WebApplicationException answer) {
                Response response = answer.getResponse();
                return response != null && Family.familyOf(response.getStatus()) == Family.CLIENT_ERROR
                        ? CLIENT_ERROR
                        : FAILED;
            }
        }
        return FAILED;
    }
}
