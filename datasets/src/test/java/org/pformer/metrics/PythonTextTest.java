package org.pformer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonTextTest {
    @Test
    void splitUsesPythonWhitespaceIncludingNoBreakSpace() {
        assertThat(PythonText.split(" 3\u00a01/2  apples\t\n")).containsExactly("3", "1/2", "apples");
        assertThat(PythonText.split("a\u0085b\u2007c\u001fd")).containsExactly("a", "b", "c", "d");
        assertThat(PythonText.split("")).isEmpty();
    }

    @Test
    void splitOnASeparatorKeepsEmptyPieces() {
        assertThat(PythonText.split("", ' ')).containsExactly("");
        assertThat(PythonText.split("a  b", ' ')).containsExactly("a", "", "b");
    }

    @Test
    void stripAndRstripUsePythonWhitespace() {
        assertThat(PythonText.strip("\u00a0 a b \u3000")).isEqualTo("a b");
        assertThat(PythonText.rstrip(" a \u00a0")).isEqualTo(" a");
        assertThat(PythonText.isSpace('x')).isFalse();
        assertThat(PythonText.isSpace(0x1F600)).isFalse();
    }
}
