package io.coedit.server.auth;

/** Caret colours: a user keeps the same one everywhere, so it is a function of the user id. */
public final class Palette {
    // Distinguishable on a white page, and none of them red, which editors use for errors.
    private static final String[] COLORS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#bcbd22", "#3b5bdb", "#0b7285", "#5f3dc4", "#c2255c",
    };

    private Palette() {}

    public static String colorOf(String userId) {
        return COLORS[Math.floorMod(userId.hashCode(), COLORS.length)];
    }
}
