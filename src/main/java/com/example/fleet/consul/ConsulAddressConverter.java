package com.example.fleet.consul;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads {@code fleet.consul.address} (and so {@code CONSUL_HTTP_ADDR}) into a {@link ConsulAddress}. */
public class ConsulAddressConverter implements Converter<ConsulAddress> {

    @Override
    public ConsulAddress convert(String value) {
        return ConsulAddress.parse(value, "fleet.consul.address (CONSUL_HTTP_ADDR)");
    }
}
