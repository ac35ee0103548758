package dev.entrepot.proxy.api;

import dev.entrepot.proxy.repository.ImageVersion;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The listing as an aligned text table, the columns of {@code gcloud artifacts docker images list}. */
final class ImageTable {
    private ImageTable() {
    }

    /** @param host prefix of the IMAGE column, e.g. {@code registry.example:5000/} (may be empty) */
    static String render(String host, List<ImageVersion> versions, boolean includeTags) {
        List<String[]> rows = new ArrayList<>();
        rows.add(includeTags ? new String[] {"IMAGE", "DIGEST", "TAGS", "CREATE_TIME", "UPDATE_TIME", "SIZE"}
                : new String[] {"IMAGE", "DIGEST", "CREATE_TIME", "UPDATE_TIME", "SIZE"});
        for (ImageVersion v : versions) {
            String image = host + v.repository() + "/" + v.image();
            String created = v.created().truncatedTo(ChronoUnit.SECONDS).toString();
            String updated = v.updated().truncatedTo(ChronoUnit.SECONDS).toString();
            String size = v.size() < 0 ? "-" : Long.toString(v.size());
            rows.add(includeTags ? new String[] {image, v.digest().toString(), String.join(",", v.tags()), created,
                    updated, size} : new String[] {image, v.digest().toString(), created, updated, size});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(row[i]);
                if (i < row.length - 1) {
                    out.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }
}
