package com.example.fleet.registration;

import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.Converter;

/** Consul service names double as DNS labels: 1-63 letters, digits and inner dashes. */
public class ServiceNameConverter implements Converter<String> {

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    @Override
    public String convert(String value) {
        String name = value.strip();
        if (!DNS_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a valid Consul service name: use 1-63 letters,"
                    + " digits and dashes, not starting or ending with a dash");
        }
        return name;
    }
}
