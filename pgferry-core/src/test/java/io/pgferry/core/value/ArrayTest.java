package io.pgferry.core.value;

import static io.pgferry.core.value.BuiltinTypes.INT4;
import static io.pgferry.core.value.BuiltinTypes.INT4_ARRAY;
import static io.pgferry.core.value.BuiltinTypes.TEXT;
import static io.pgferry.core.value.BuiltinTypes.TEXT_ARRAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ArrayTest {
    private static final TypeResolver TYPES = BuiltinTypes.builtin();

    private static PgArray text(int oid, String s) {
        return (PgArray) PgValues.fromText(oid, s, TYPES);
    }

    @Test
    void oneDimensionWithNulls() {
        PgArray a = text(INT4_ARRAY, "{1,2,NULL}");
        assertThat(a.elementOid()).isEqualTo(INT4);
        assertThat(a.dims()).containsExactly(3);
        assertThat(a.lowerBounds()).containsExactly(1);
        assertThat(a.elements()).containsExactly(1, 2, null);
    }

    @Test
    void empty() {
        PgArray a = text(INT4_ARRAY, "{}");
        assertThat(a.dims()).isEmpty();
        assertThat(a.lowerBounds()).isEmpty();
        assertThat(a.elements()).isEmpty();
        assertThat(a).isEqualTo(PgArray.empty(INT4));
        byte[] b = Bin.array(INT4, new int[0], new int[0], List.of());
        assertThat(PgValues.fromBinary(INT4_ARRAY, b, 0, b.length, TYPES)).isEqualTo(a);
        assertThat(PgValues.binaryToText(INT4_ARRAY, b, 0, b.length, TYPES)).isEqualTo("{}");
    }

    @Test
    void twoAndThreeDimensionsWithNulls() {
        PgArray two = text(INT4_ARRAY, "{{1,NULL},{3,4}}");
        assertThat(two.dims()).containsExactly(2, 2);
        assertThat(two.elements()).containsExactly(Arrays.asList(1, null), List.of(3, 4));
        PgArray three = text(INT4_ARRAY, "{{{1,NULL},{3,4}},{{5,6},{NULL,8}}}");
        assertThat(three.dims()).containsExactly(2, 2, 2);
        assertThat(three.lowerBounds()).containsExactly(1, 1, 1);
        assertThat(three.elements())
                .containsExactly(
                        List.of(Arrays.asList(1, null), List.of(3, 4)), List.of(List.of(5, 6), Arrays.asList(null, 8)));
        assertThat(three.flatElements()).containsExactly(1, null, 3, 4, 5, 6, null, 8);

        List<byte[]> elements =
                Arrays.asList(Bin.int4(1), null, Bin.int4(3), Bin.int4(4), Bin.int4(5), Bin.int4(6), null, Bin.int4(8));
        byte[] b = Bin.array(INT4, new int[] {2, 2, 2}, new int[] {1, 1, 1}, elements);
        assertThat(PgValues.fromBinary(INT4_ARRAY, b, 0, b.length, TYPES)).isEqualTo(three);
        assertThat(PgValues.binaryToText(INT4_ARRAY, b, 0, b.length, TYPES))
                .isEqualTo("{{{1,NULL},{3,4}},{{5,6},{NULL,8}}}");
    }

    @Test
    void lowerBoundPrefix() {
        PgArray a = text(INT4_ARRAY, "[2:3]={1,NULL}");
        assertThat(a.lowerBounds()).containsExactly(2);
        assertThat(a.dims()).containsExactly(2);
        PgArray b = text(INT4_ARRAY, "[0:0][-1:0]={{1,2}}");
        assertThat(b.lowerBounds()).containsExactly(0, -1);
        assertThat(b.dims()).containsExactly(1, 2);
        byte[] bin = Bin.array(INT4, new int[] {1, 2}, new int[] {0, -1}, List.of(Bin.int4(1), Bin.int4(2)));
        assertThat(PgValues.binaryToText(INT4_ARRAY, bin, 0, bin.length, TYPES)).isEqualTo("[0:0][-1:0]={{1,2}}");
        assertThatThrownBy(() -> text(INT4_ARRAY, "[1:3]={1,2}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quotingAndEscaping() {
        String pg = "{\"a,b\",\"c\\\"d\",\"e\\\\f\",\"\",\"NULL\",NULL,\" x \",\"{}\",ü,\"nuLL\",\"a\tb\",\"\u000B\"}";
        PgArray a = text(TEXT_ARRAY, pg);
        assertThat(a.elements())
                .containsExactly("a,b", "c\"d", "e\\f", "", "NULL", null, " x ", "{}", "ü", "nuLL", "a\tb", "\u000B");
        assertThat(PgValues.render(TEXT_ARRAY, a, TYPES)).isEqualTo(pg);
        // Input also allows white space around elements and backslash escapes outside quotes.
        assertThat(text(TEXT_ARRAY, "{ a , b\\,c ,\\NULL, NULL }").elements())
                .containsExactly("a", "b,c", "NULL", null);
        assertThat(text(TEXT_ARRAY, "{{\"a b\",c},{\"d\\te\",f}}").elements())
                .containsExactly(List.of("a b", "c"), List.of("dte", "f"));
    }

    @Test
    void boxUsesSemicolons() {
        PgArray a = text(1020, "{(3,4),(1,2);(7,8),(5,6)}");
        assertThat(a.elements()).containsExactly("(3,4),(1,2)", "(7,8),(5,6)");
        assertThat(PgValues.render(1020, a, TYPES)).isEqualTo("{(3,4),(1,2);(7,8),(5,6)}");
    }

    @Test
    void enumAndDomainElements() {
        TypeInfo mood = new TypeInfo(20001, "public", "mood", TypeInfo.Kind.ENUM, 0, 0, ',');
        TypeInfo moods = new TypeInfo(20002, "public", "_mood", TypeInfo.Kind.ARRAY, 20001, 0, ',');
        TypeInfo posint = new TypeInfo(20003, "public", "posint", TypeInfo.Kind.DOMAIN, 0, INT4, ',');
        TypeInfo posints = new TypeInfo(20004, "public", "_posint", TypeInfo.Kind.ARRAY, 20003, 0, ',');
        TypeResolver types = oid -> List.of(mood, moods, posint, posints).stream()
                .filter(t -> t.oid() == oid)
                .findFirst()
                .orElse(null);
        PgArray m = (PgArray) PgValues.fromText(20002, "{happy,\"very sad\"}", types);
        assertThat(m.elementOid()).isEqualTo(20001);
        assertThat(m.elements()).containsExactly("happy", "very sad");
        PgArray p = (PgArray) PgValues.fromText(20004, "{1,NULL,3}", types);
        assertThat(p.elements()).containsExactly(1, null, 3);
        byte[] b = Bin.array(20001, new int[] {2}, new int[] {1}, List.of(Bin.utf8("happy"), Bin.utf8("very sad")));
        assertThat(PgValues.fromBinary(20002, b, 0, b.length, types)).isEqualTo(m);
        assertThat(PgValues.binaryToText(20002, b, 0, b.length, types)).isEqualTo("{happy,\"very sad\"}");
        assertThat(PgValues.jsonKind(20004, types)).isEqualTo(JsonKind.ARRAY);
    }

    @Test
    void malformed() {
        for (String bad : List.of("{1,2", "{{1,2},{3}}", "{{1},2}", "1,2}", "{1,,2}", "{1}x", "{\"a}", "{{}}")) {
            assertThatThrownBy(() -> text(INT4_ARRAY, bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("type OID 1007");
        }
        byte[] tooMany = Bin.array(INT4, new int[] {1000}, new int[] {1}, List.of(Bin.int4(1)));
        assertThatThrownBy(() -> PgValues.fromBinary(INT4_ARRAY, tooMany, 0, tooMany.length, TYPES))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 500)
    void textRenderParseRoundTrip(@ForAll("strings") List<String> flat, @ForAll boolean twoDimensional) {
        PgArray a;
        if (flat.isEmpty()) {
            a = PgArray.empty(TEXT);
        } else if (twoDimensional && flat.size() % 2 == 0) {
            int half = flat.size() / 2;
            List<Object> rows =
                    List.of(new ArrayList<>(flat.subList(0, half)), new ArrayList<>(flat.subList(half, flat.size())));
            a = new PgArray(TEXT, List.of(2, half), List.of(1, 1), rows);
        } else {
            a = PgArray.of(TEXT, flat);
        }
        String rendered = PgValues.render(TEXT_ARRAY, a, TYPES);
        assertThat(PgValues.fromText(TEXT_ARRAY, rendered, TYPES)).isEqualTo(a);
        List<byte[]> bins = new ArrayList<>();
        a.flatElements().forEach(e -> bins.add(e == null ? null : Bin.utf8((String) e)));
        int[] dims = a.dims().stream().mapToInt(Integer::intValue).toArray();
        int[] lbs = a.lowerBounds().stream().mapToInt(Integer::intValue).toArray();
        byte[] b = Bin.array(TEXT, dims, lbs, bins);
        assertThat(PgValues.fromBinary(TEXT_ARRAY, b, 0, b.length, TYPES)).isEqualTo(a);
        assertThat(PgValues.binaryToText(TEXT_ARRAY, b, 0, b.length, TYPES)).isEqualTo(rendered);
    }

    @Provide
    Arbitrary<List<String>> strings() {
        Arbitrary<String> s = Arbitraries.strings()
                .withChars("ab,{}\"\\ \tNUL;é€\u000B")
                .withCharRange('\u4e00', '\u4e05')
                .ofMaxLength(6)
                .injectNull(0.15)
                .edgeCases(c -> c.add("NULL", "null", ""));
        return s.list().ofMaxSize(8);
    }
}
