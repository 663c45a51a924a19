package dev.bellwether.security;

/** Who is calling: the name of their token and its role. */
public record Caller(String name, Role role) {

    public boolean mayActAs(Role[] allowed) {
        if (role == Role.ADMIN) {
            return true;
        }
        for (Role candidate : allowed) {
            if (candidate == Role.VIEWER || candidate == role) {
                return true;
            }
        }
        return false;
    }
}
