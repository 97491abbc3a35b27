package org.pformer.model.blip2;

import ai.djl.ndarray.*;
import org.junit.jupiter.api.Test;
import org.pformer.model.ManagedTest;
import org.pformer.model.generate.*;
import org.pformer.model.train.*;
import org.pformer.model.opt.*;
import java.util.List;

class ScratchProbeTest extends ManagedTest {
    @Test
    void probe() {
        var W = Blip2Fixtures.WORLD;
        long t0 = System.nanoTime();
        OptForCausalLM llm = Blip2Fixtures.frozenLlm(manager);
        System.out.println("pretraining took " + (System.nanoTime() - t0) / 1e9 + " s");
        int ok = 0;
        long[][] p = new long[16][];
        long[][] mk = new long[16][];
        for (int c = 0; c < 16; c++) {
            long[] words = W.llmWords(TinyImageTextWorld.caption(c));
            p[c] = TinyImageTextWorld.concat(TinyImageTextWorld.concat(new long[]{2}, words), new long[]{3, 2});
            mk[c] = new long[p[c].length];
            java.util.Arrays.fill(mk[c], 1);
        }
        var out = new Generator(llm).generate(null, new TokenBatch(p, mk), GenerationConfig.greedy(6, 3));
        for (int c = 0; c < 16; c++) if (W.decodeLlm(out.get(c).tokens()).equals(TinyImageTextWorld.caption(c))) ok++;
        System.out.println("copies " + ok + "/16; e.g. " + W.decodeLlm(out.get(1).tokens()));
    }
}
