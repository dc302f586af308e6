package io.pgferry.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLeavesTest {
    @Test
    void namesEveryStringLeafWithItsPath() {
        List<String> out = new ArrayList<>();
        JsonLeaves.walk(
                "{\"a\":{\"b\":[\"x\",{\"c\":\"y\"},1,[\"z\"]]},\"odd key\":\"w\",\"n\":5,\"t\":true,\"s\":\"v\"}",
                (path, value) -> out.add(path + "=" + value));
        assertThat(out).containsExactly("$.a.b[0]=x", "$.a.b[1].c=y", "$.a.b[3][0]=z", "$[\"odd key\"]=w", "$.s=v");
    }

    @Test
    void aScalarDocumentIsItsOwnLeaf() {
        List<String> out = new ArrayList<>();
        JsonLeaves.walk("\"alone\"", (path, value) -> out.add(path + "=" + value));
        assertThat(out).containsExactly("$=alone");
    }
}
