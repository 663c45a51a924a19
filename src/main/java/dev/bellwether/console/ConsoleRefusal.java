package dev.bellwether.console;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** A console request refused with a page of its own (not problem JSON: the console speaks HTML). */
class ConsoleRefusal extends WebApplicationException {

    ConsoleRefusal(Response page) {
        super(page);
    }
}
