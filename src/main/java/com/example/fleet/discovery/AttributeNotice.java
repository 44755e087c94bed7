package com.example.fleet.discovery;

/**
 * What a discovery says once at startup about one of its attributes: a warning when it is ignored (unknown, or in
 * conflict with another spelling, or without effect), information when it is accepted and does nothing by design.
 *
 * @param attribute the attribute it is about; each is reported once per Stork service
 * @param text the whole message, naming the property and what to write instead
 */
record AttributeNotice(String attribute, boolean warning, String text) {

    static AttributeNotice warning(String attribute, String text) {
        return new AttributeNotice(attribute, true, text);
    }

    static AttributeNotice info(String attribute, String text) {
        return new AttributeNotice(attribute, false, text);
    }
}
