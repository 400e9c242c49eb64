package io.coedit.server.session;

/** Who is behind a connection: a stable id, a display name and a colour for their caret. */
public record User(String id, String name, String color) {}
