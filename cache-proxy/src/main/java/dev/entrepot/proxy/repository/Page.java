package dev.entrepot.proxy.repository;

import java.util.List;

/** One page of a sorted listing (tags, catalog names); {@code more} says a next page exists. */
public record Page(List<String> items, boolean more) {
}
