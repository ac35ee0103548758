package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How much a repository holds, as its proxy counts it; refreshed every few minutes, never a listing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Usage {

    @JsonPropertyDescription("Images (names) in the repository; shown in the IMAGES printer column.")
    private Long images;

    @JsonPropertyDescription("Versions (manifests) of those images.")
    private Long versions;

    @JsonPropertyDescription("Tags pointing at those versions.")
    private Long tags;

    @JsonPropertyDescription("Bytes of the versions added up (layers shared by versions counted in each).")
    private Long bytes;

    @JsonPropertyDescription("bytes in binary units, e.g. 1.5Gi; shown in the SIZE printer column.")
    private String size;

    public Usage() {
    }

    public Usage(long images, long versions, long tags, long bytes) {
        this.images = images;
        this.versions = versions;
        this.tags = tags;
        this.bytes = bytes;
        this.size = humanSize(bytes);
    }

    /** 0, 512B, 1.5Ki, 20Gi: one decimal at most, binary units as Kubernetes quantities write them. */
    public static String humanSize(long bytes) {
        String[] units = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        if (bytes < 1024) {
            return bytes == 0 ? "0" : bytes + "B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        double rounded = Math.round(value * 10) / 10.0;
        String number = rounded == Math.rint(rounded) ? String.valueOf((long) rounded) : String.valueOf(rounded);
        return number + units[unit];
    }

    public Long getImages() { return images; }
    public void setImages(Long images) { this.images = images; }
    public Long getVersions() { return versions; }
    public void setVersions(Long versions) { this.versions = versions; }
    public Long getTags() { return tags; }
    public void setTags(Long tags) { this.tags = tags; }
    public Long getBytes() { return bytes; }
    public void setBytes(Long bytes) { this.bytes = bytes; }
    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Usage u && Objects.equals(images, u.images) && Objects.equals(versions, u.versions)
                && Objects.equals(tags, u.tags) && Objects.equals(bytes, u.bytes) && Objects.equals(size, u.size);
    }

    @Override
    public int hashCode() {
        return Objects.hash(images, versions, tags, bytes, size);
    }
}
