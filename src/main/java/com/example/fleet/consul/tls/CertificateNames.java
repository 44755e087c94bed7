package com.example.fleet.consul.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names a certificate is valid for: its DNS and IP subjectAltNames, matched as HTTPS clients do (RFC 6125): an
 * IP address against IP entries only, a DNS name against DNS entries, whose left-most label may be {@code *} for
 * exactly one label. The subject's CN is not a name: Consul's certificates carry subjectAltNames.
 */
final class CertificateNames {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    private static final int DNS = 2;
    private static final int IP = 7;

    private CertificateNames() {
    }

    /** The certificate's names as {@code DNS:name} and {@code IP:address}, in its order. */
    static List<String> of(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        List<String> names = new ArrayList<>();
        for (List<?> entry : alternatives == null ? List.<List<?>>of() : alternatives) {
            int type = (Integer) entry.get(0);
            if (type == DNS) {
                names.add("DNS:" + entry.get(1));
            } else if (type == IP) {
                names.add("IP:" + entry.get(1));
            }
        }
        return names;
    }

    /** Whether one of {@code names} ({@link #of}) is valid for {@code name}. */
    static boolean cover(List<String> names, String name) {
        return names.stream().anyMatch(carried -> matches(carried, name));
    }

    /** An IPv4 address in dotted form or an IPv6 address; anything else is taken as a DNS name. */
    static boolean isIpAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }

    private static boolean matches(String carried, String name) {
        if (isIpAddress(name)) {
            return carried.startsWith("IP:") && sameAddress(name, carried.substring(3));
        }
        if (!carried.startsWith("DNS:")) {
            return false;
        }
        String expected = normal(name);
        String pattern = normal(carried.substring(4));
        if (pattern.startsWith("*.")) {
            int dot = expected.indexOf('.');
            return dot > 0 && expected.substring(dot).equals(pattern.substring(1));
        }
        return expected.equals(pattern);
    }

    private static boolean sameAddress(String literal, String carried) {
        try {
            // both are address literals (isIpAddress, and the certificate's IP entries): nothing is looked up
            return InetAddress.getByName(literal).equals(InetAddress.getByName(carried));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String normal(String dnsName) {
        String lower = dnsName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
