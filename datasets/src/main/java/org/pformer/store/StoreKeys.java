package org.pformer.store;

/**
 * Object keys are relative, '/'-separated paths: no absolute paths, no '.' or '..' segments, no empty segments,
 * no backslashes or control characters. A key that could escape the store root is rejected before any I/O.
 */
public final class StoreKeys {

    /** Suffix of the sidecar that commits an object: its presence means the object is complete and verified. */
    public static final String MANIFEST_SUFFIX = ".manifest.json";

    private StoreKeys() {}

    /** Validates a caller's key: a safe relative path that does not use the reserved manifest suffix. */
    public static String validate(String key) {
        validatePath(key);
        if (key.endsWith(MANIFEST_SUFFIX)) {
            throw new IllegalArgumentException("store key '" + key + "' ends with the reserved suffix " + MANIFEST_SUFFIX);
        }
        return key;
    }

    /** Validates any object path inside a store, manifests included. */
    static String validatePath(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key is empty; expected a relative path such as runs/abc/model.safetensors");
        }
        if (key.length() > 900) {
            throw new IllegalArgumentException("store key is longer than 900 characters: " + key.substring(0, 60) + "...");
        }
        if (key.startsWith("/")) {
            throw new IllegalArgumentException("store key '" + key + "' is absolute; expected a path relative to the store root");
        }
        if (key.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("store key '" + key + "' contains a backslash; expected '/' separators");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "/._-=+@,".indexOf(c) >= 0;
            if (!allowed) {
                throw new IllegalArgumentException("store key '" + key.replaceAll("\\p{Cntrl}", "?") + "' has the character "
                        + (Character.isISOControl(c) ? String.format("U+%04X", (int) c) : "'" + c + "'") + " at index " + i
                        + "; expected letters, digits, '/' and . _ - = + @ , only");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("store key '" + key + "' has an empty path segment; expected a/b/c");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("store key '" + key + "' contains '" + segment
                        + "'; keys may not leave the store root");
            }
        }
        return key;
    }

    /** Joins validated key parts with '/'. */
    public static String join(String first, String... more) {
        StringBuilder sb = new StringBuilder(first);
        for (String m : more) {
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '/') {
                sb.append('/');
            }
            sb.append(m);
        }
        return validate(sb.toString());
    }
}
