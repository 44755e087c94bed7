package com.example.fleet.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every refusal of the sample API is a 400 with a JSON body naming the parameter, the value and what is allowed. */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class SampleApiBadInputTest {

    @ParameterizedTest
    @CsvSource({
            "/api/work, -1, 60000",
            "/api/work, abc, 60000",
            "/api/work, 1.5, 60000",
            "/api/work, 99999999999999999999, 60000",
            "/api/work, 60001, 60000",
            "/api/fleet/call, -1, 20000",
            "/api/fleet/call, abc, 20000",
            "/api/fleet/call, 99999999999999999999, 20000",
            "/api/fleet/call, 20001, 20000" })
    void aBadMillisIsA400NamingTheParameterTheValueAndTheRange(String path, String value, long max) {
        given().queryParam("millis", value).get(path).then().statusCode(400)
                .contentType("application/json")
                .body("parameter", equalTo("millis"))
                .body("value", equalTo(value))
                .body("allowed", equalTo("whole milliseconds from 0 to " + max));
    }
}
