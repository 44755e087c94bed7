package com.example.fleet.registration;

import org.eclipse.microprofile.config.spi.Converter;

import com.example.fleet.consul.ServiceWeight;

/** A relative weight, see {@link ServiceWeight}. */
public class WeightConverter implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        return ServiceWeight.parse(value);
    }
}
