package com.example.fleet.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal of the sample API: 400 with a short JSON body. */
public class BadParameterMapper {

    @ServerExceptionMapper
    public RestResponse<BadParameter.Refusal> refuse(BadParameter bad) {
        return RestResponse.ResponseBuilder.create(Response.Status.BAD_REQUEST, bad.refusal())
                .type(MediaType.APPLICATION_JSON).build();
    }
}
