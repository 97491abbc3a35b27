#!/usr/bin/env python3
"""PyTorch-eager reference for issue 9 item 1: one training step (forward + backward + gradient clipping + AdamW)
of the same three models as org.pformer.model.bench.StepTimeBenchmark, at the same sizes, on one replayed batch.

  pformer: P-Former stage 0 -- BERT encoder -> cls_proj -> prompt_pooler (tanh) -> llm_proj, frozen OPT decoder;
           L_lm + L_contrast (SimCSE: both dropout views in one 2B pass) + L_vocab (nearest frozen embedding row).
  stage1:  BLIP-2 stage 1 -- Q-Former (query FFN, cross-attention every 2nd layer) on a frozen ViT; ITC (query and
           text in one uni-modal pass) + ITM (3B rows, hard negatives drawn from the ITC similarities) + ITG
           ([DEC], multimodal-causal mask, tied LM head) + omega1 * MSE(align_proj(queries), cached targets).
  stage2:  BLIP-2 stage 2 -- query-only Q-Former -> llm_proj -> frozen OPT, LM loss + omega2 * MSE(prompt, targets).

Sizes are the world-tiny presets (model/.../FoundationPresets.java): every tower 64 wide, 2 layers, 4 heads, FFN
256 (--size large: 256 wide, 4 layers, 4 heads, FFN 1024); Q-Former / P-Former 8 queries; contrast/ITC width 256.
Attention is written out (matmul, additive mask, softmax, dropout, matmul) as in Hugging Face's eager
BERT/OPT/ViT, which is what our DJL models compute.
Random weights and random token ids of the shapes given on the command line (the Java benchmark prints them).

Prints one RESULT line like the Java side: mean and median step time in ms over --steps after --warmup. With
--serve (as StepTimeBenchmark's), it stays up after the warm-up for bench/run_bench.py to interleave it with ours:
READY, then one block of steps per "BLOCK n" line on stdin, answered "BLOCK steps=n ms_per_step=..." (the block's
wall time over n), until END; the RESULT line then covers every block's steps.
"""
import argparse
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# --size: (heads, width, layers, FFN) of every tower; StepTimeBenchmark.preset builds the same
SIZES = {"world-default": (4, 64, 2, 256), "large": (4, 256, 4, 1024)}
HEADS, WIDTH, LAYERS, FFN = SIZES["world-default"]
NUM_QUERY, EMBED_DIM = 8, 256
TEXT_POSITIONS, LLM_POSITIONS = 64, 128
BLOCKED = torch.finfo(torch.float32).min


def attention(q, k, v, mask, heads, scale, dropout, training):
    b, lq, h = q.shape
    d = h // heads
    qh = q.view(b, lq, heads, d).transpose(1, 2)
    kh = k.view(b, k.shape[1], heads, d).transpose(1, 2)
    vh = v.view(b, v.shape[1], heads, d).transpose(1, 2)
    scores = qh @ kh.transpose(-1, -2)
    if scale != 1.0:
        scores = scores * scale
    if mask is not None:
        scores = scores + mask
    probs = F.dropout(scores.softmax(-1), dropout, training)
    return (probs @ vh).transpose(1, 2).reshape(b, lq, h)


class BertAttention(nn.Module):
    def __init__(self, kv_width):
        super().__init__()
        self.query = nn.Linear(WIDTH, WIDTH)
        self.key = nn.Linear(kv_width, WIDTH)
        self.value = nn.Linear(kv_width, WIDTH)
        self.dense = nn.Linear(WIDTH, WIDTH)
        self.norm = nn.LayerNorm(WIDTH, eps=1e-12)

    def forward(self, x, mask, kv=None):
        kv = x if kv is None else kv
        ctx = attention(self.query(x), self.key(kv), self.value(kv), mask, HEADS, 1 / math.sqrt(WIDTH // HEADS), 0.1,
                        self.training)
        return self.norm(x + F.dropout(self.dense(ctx), 0.1, self.training))


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.intermediate = nn.Linear(WIDTH, FFN)
        self.output = nn.Linear(FFN, WIDTH)
        self.norm = nn.LayerNorm(WIDTH, eps=1e-12)

    def forward(self, x):
        return self.norm(x + F.dropout(self.output(F.gelu(self.intermediate(x))), 0.1, self.training))


class BertLayer(nn.Module):
    """BERT post-norm layer; the Q-Former variant adds cross-attention (queries only) and a query FFN."""

    def __init__(self, cross_width=0, query_ffn=False, text_ffn=True):
        super().__init__()
        self.attention = BertAttention(WIDTH)
        self.crossattention = BertAttention(cross_width) if cross_width else None
        self.ffn = FeedForward() if text_ffn else None
        self.ffn_query = FeedForward() if query_ffn else None

    def forward(self, x, mask, image=None, q=0):
        x = self.attention(x, mask)
        if q > 0:
            queries = x[:, :q]
            if self.crossattention is not None:
                queries = self.crossattention(queries, None, image)
            queries = self.ffn_query(queries)
            return torch.cat([queries, self.ffn(x[:, q:])], 1) if x.shape[1] > q else queries
        return self.ffn(x)


class BertModel(nn.Module):
    def __init__(self, vocab, qformer=False, text_path=True):
        super().__init__()
        if text_path:
            self.word_embeddings = nn.Embedding(vocab, WIDTH)
            self.position_embeddings = nn.Embedding(TEXT_POSITIONS, WIDTH)
            self.token_type_embeddings = None if qformer else nn.Embedding(2, WIDTH)
        self.norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.layers = nn.ModuleList(
            BertLayer(WIDTH if qformer and i % 2 == 0 else 0, qformer, text_path) for i in range(LAYERS))

    def embed(self, ids=None, queries=None):
        x = None
        if ids is not None:
            pos = torch.arange(ids.shape[1]).unsqueeze(0)
            x = self.word_embeddings(ids) + self.position_embeddings(pos)
            if self.token_type_embeddings is not None:
                x = x + self.token_type_embeddings(torch.zeros_like(pos))
        if queries is not None:
            x = queries if x is None else torch.cat([queries, x], 1)
        return F.dropout(self.norm(x), 0.1, self.training)

    def encode(self, x, mask, image=None, q=0):
        for layer in self.layers:
            x = layer(x, mask, image, q)
        return x


def padding_mask(mask):
    return ((1 - mask[:, None, None, :].float()) * BLOCKED)


class Opt(nn.Module):
    """OPT decoder (pre-norm, ReLU FFN, learned positions with offset 2, final LayerNorm, tied LM head)."""

    def __init__(self, vocab):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, WIDTH)
        self.embed_positions = nn.Embedding(LLM_POSITIONS + 2, WIDTH)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(
            q_proj=nn.Linear(WIDTH, WIDTH), k_proj=nn.Linear(WIDTH, WIDTH), v_proj=nn.Linear(WIDTH, WIDTH),
            out_proj=nn.Linear(WIDTH, WIDTH), self_attn_layer_norm=nn.LayerNorm(WIDTH), fc1=nn.Linear(WIDTH, FFN),
            fc2=nn.Linear(FFN, WIDTH), final_layer_norm=nn.LayerNorm(WIDTH))) for _ in range(LAYERS))
        self.final_layer_norm = nn.LayerNorm(WIDTH)

    def forward_embeds(self, x, mask, first_logit):
        length = x.shape[1]
        positions = (mask.cumsum(1) * mask) - 1 + 2
        causal = torch.full((length, length), BLOCKED).triu(1)
        additive = torch.minimum(causal[None, None], padding_mask(mask))
        x = x + self.embed_positions(positions)
        for l in self.layers:
            h = l["self_attn_layer_norm"](x)
            ctx = attention(l["q_proj"](h) * (WIDTH // HEADS) ** -0.5, l["k_proj"](h), l["v_proj"](h), additive,
                            HEADS, 1.0, 0.0, False)
            x = x + l["out_proj"](ctx)
            x = x + l["fc2"](F.relu(l["fc1"](l["final_layer_norm"](x))))
        x = self.final_layer_norm(x)
        return F.linear(x[:, first_logit:], self.embed_tokens.weight)


class Vit(nn.Module):
    """ViT (pre-norm, 8x8 patch grid + [CLS], final LayerNorm), frozen."""

    def __init__(self, image):
        super().__init__()
        patch = image // 8
        self.patch = nn.Conv2d(3, WIDTH, patch, patch)
        self.cls = nn.Parameter(torch.randn(1, 1, WIDTH) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 65, WIDTH) * 0.02)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(
            query=nn.Linear(WIDTH, WIDTH), key=nn.Linear(WIDTH, WIDTH), value=nn.Linear(WIDTH, WIDTH),
            dense=nn.Linear(WIDTH, WIDTH), before=nn.LayerNorm(WIDTH, eps=1e-6), after=nn.LayerNorm(WIDTH, eps=1e-6),
            intermediate=nn.Linear(WIDTH, FFN), output=nn.Linear(FFN, WIDTH))) for _ in range(LAYERS))
        self.norm = nn.LayerNorm(WIDTH, eps=1e-6)

    def forward(self, pixels):
        p = self.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(p.shape[0], -1, -1), p], 1) + self.pos
        for l in self.layers:
            h = l["before"](x)
            x = x + l["dense"](attention(l["query"](h), l["key"](h), l["value"](h), None, HEADS,
                                         1 / math.sqrt(WIDTH // HEADS), 0.0, False))
            x = x + l["output"](F.gelu(l["intermediate"](l["after"](x))))
        return self.norm(x)


def lm_loss(llm, prompt, ids, mask, label_smoothing=0.0):
    """Frozen LLM on [prompt ; embed(ids)]; logits from the last prompt position on; caption tokens are targets."""
    b, q = prompt.shape[:2]
    embeds = torch.cat([prompt, llm.embed_tokens(ids)], 1)
    full_mask = torch.cat([torch.ones(b, q, dtype=torch.long), mask], 1)
    logits = llm.forward_embeds(embeds, full_mask, q - 1)
    labels = torch.cat([torch.full((b, 1), -100), ids.masked_fill(mask == 0, -100)], 1)
    return next_token_loss(logits, labels, label_smoothing)


def next_token_loss(logits, labels, label_smoothing=0.0):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                           ignore_index=-100, label_smoothing=label_smoothing)


class PFormer(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.bert = BertModel(vocab)
        self.cls_proj = nn.Linear(WIDTH, NUM_QUERY * WIDTH)
        self.prompt_pooler = nn.Linear(WIDTH, WIDTH)
        self.llm_proj = nn.Linear(WIDTH, WIDTH)
        self.text_proj = nn.Linear(WIDTH, EMBED_DIM)
        self.temp = nn.Parameter(torch.tensor(0.07))

    def losses(self, ids, mask, llm_ids, llm_mask, llm, table, table_norms):
        b = ids.shape[0]
        both = self.bert.encode(self.bert.embed(torch.cat([ids, ids])), padding_mask(torch.cat([mask, mask])))[:, 0]
        cls, second = both[:b], both[b:]
        z1, z2 = F.normalize(self.text_proj(cls), dim=1), F.normalize(self.text_proj(second), dim=1)
        contrast = F.cross_entropy(z1 @ z2.t() / self.temp, torch.arange(b))
        prompt = self.llm_proj(torch.tanh(self.prompt_pooler(self.cls_proj(cls).view(b, NUM_QUERY, WIDTH))))
        lm = lm_loss(llm, prompt, llm_ids, llm_mask)
        x = prompt.reshape(-1, WIDTH)
        with torch.no_grad():
            xd = x.detach()
            nearest = ((xd * xd).sum(1, keepdim=True) + table_norms[None] - 2 * (xd @ table.t())).argmin(1)
        vocab = (x - table[nearest]).square().mean()
        return {"lm": lm, "contrast": contrast, "vocab": vocab}


class QFormer(nn.Module):
    def __init__(self, vocab, text_path):
        super().__init__()
        self.bert = BertModel(vocab, qformer=True, text_path=text_path)
        self.ln_vision = nn.LayerNorm(WIDTH, eps=1e-5)
        self.query_tokens = nn.Parameter(torch.randn(1, NUM_QUERY, WIDTH) * 0.02)
        if text_path:
            self.lm_dense = nn.Linear(WIDTH, WIDTH)
            self.lm_norm = nn.LayerNorm(WIDTH, eps=1e-12)
            self.lm_bias = nn.Parameter(torch.zeros(vocab))

    def queries(self, b):
        return self.query_tokens.expand(b, -1, -1)

    def joint(self, ids, mask, image, kind):
        q = NUM_QUERY
        b, t = ids.shape
        n = q + t
        i = torch.arange(n)[:, None]
        j = torch.arange(n)[None, :]
        if kind == "uni":
            allowed = (i < q) == (j < q)
        elif kind == "bi":
            allowed = torch.ones(n, n, dtype=torch.bool)
        else:  # multimodal causal: queries see queries; text token sees all queries and earlier text
            allowed = torch.where(i < q, j < q, (j < q) | (j <= i))
        key_ok = torch.cat([torch.ones(b, q, dtype=torch.bool), mask.bool()], 1)
        ok = allowed[None, None] & key_ok[:, None, None, :]
        additive = torch.zeros(b, 1, n, n).masked_fill(~ok, BLOCKED)
        return self.bert.encode(self.bert.embed(ids, self.queries(b)), additive, image, q)

    def lm_logits(self, states):
        h = self.lm_norm(F.gelu(self.lm_dense(states)))
        return F.linear(h, self.bert.word_embeddings.weight, self.lm_bias)


class Stage1(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.qformer = QFormer(vocab, True)
        self.vision_proj = nn.Linear(WIDTH, EMBED_DIM)
        self.text_proj = nn.Linear(WIDTH, EMBED_DIM)
        self.itm_head = nn.Linear(WIDTH, 2)
        self.temp = nn.Parameter(torch.tensor(0.07))
        self.align_proj = nn.Linear(WIDTH, WIDTH)

    def losses(self, image_tokens, ids, mask, dec_id, targets, omega1):
        qf = self.qformer
        b = ids.shape[0]
        image = qf.ln_vision(image_tokens)
        uni = qf.joint(ids, mask, image, "uni")
        query_out, cls = uni[:, :NUM_QUERY], uni[:, NUM_QUERY]
        image_feats = F.normalize(self.vision_proj(query_out), dim=-1)
        text_feats = F.normalize(self.text_proj(cls), dim=-1)
        sim_i2t = (image_feats @ text_feats.t()).max(1).values / self.temp
        labels = torch.arange(b)
        itc = 0.5 * (F.cross_entropy(sim_i2t, labels, label_smoothing=0.1)
                     + F.cross_entropy(sim_i2t.t(), labels, label_smoothing=0.1))
        with torch.no_grad():  # hard negatives: softmax of the similarities, positives excluded
            eye = torch.eye(b, dtype=torch.bool)
            w_t2i = (F.softmax(sim_i2t.t(), 1) + 1e-4).masked_fill(eye, 0)
            w_i2t = (F.softmax(sim_i2t, 1) + 1e-4).masked_fill(eye, 0)
            image_neg = torch.multinomial(w_t2i, 1).squeeze(1)
            text_neg = torch.multinomial(w_i2t, 1).squeeze(1)
        ids_all = torch.cat([ids, ids, ids[text_neg]])
        mask_all = torch.cat([mask, mask, mask[text_neg]])
        image_all = torch.cat([image, image[image_neg], image])
        itm_states = qf.joint(ids_all, mask_all, image_all, "bi")[:, :NUM_QUERY]
        itm_logits = self.itm_head(itm_states).mean(1)
        itm_labels = torch.cat([torch.ones(b, dtype=torch.long), torch.zeros(2 * b, dtype=torch.long)])
        itm = F.cross_entropy(itm_logits, itm_labels)
        dec = ids.clone()
        dec[:, 0] = dec_id
        joint = qf.joint(dec, mask, image, "causal")
        itg = next_token_loss(qf.lm_logits(joint[:, NUM_QUERY:]), dec.masked_fill(mask == 0, -100), 0.1)
        align = (self.align_proj(query_out) - targets).square().mean()
        return {"itc": itc, "itm": itm, "itg": itg, "align": omega1 * align}


class Stage2(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.qformer = QFormer(vocab, False)
        self.llm_proj = nn.Linear(WIDTH, WIDTH)

    def losses(self, image_tokens, llm, llm_ids, llm_mask, targets, omega2):
        qf = self.qformer
        image = qf.ln_vision(image_tokens)
        b = image.shape[0]
        queries = qf.bert.encode(qf.bert.embed(None, qf.queries(b)), None, image, NUM_QUERY)
        prompt = self.llm_proj(queries)
        return {"lm": lm_loss(llm, prompt, llm_ids, llm_mask),
                "align": omega2 * (prompt - targets).square().mean()}


def adamw(model, lr):
    decay = [p for n, p in model.named_parameters()
             if p.requires_grad and p.dim() >= 2 and not n.endswith("bias") and "norm" not in n.lower()]
    ids = {id(p) for p in decay}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in ids]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.999), eps=1e-8)


def tokens(b, length, vocab, pad, first):
    ids = torch.randint(5, vocab, (b, length))
    mask = torch.ones(b, length, dtype=torch.long)
    for i in range(b):  # lengths from half to full, right-padded, as the Java batches
        n = int(torch.randint(length // 2, length + 1, ()).item())
        ids[i, n:] = pad
        mask[i, n:] = 0
    ids[:, 0] = first
    return ids, mask


def freeze(module):
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["pformer", "stage1", "stage2"], required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--text-len", type=int, required=True)
    ap.add_argument("--llm-len", type=int, required=True)
    ap.add_argument("--image", type=int, default=64)
    ap.add_argument("--text-vocab", type=int, required=True)
    ap.add_argument("--llm-vocab", type=int, required=True)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--size", choices=sorted(SIZES), default="world-default")
    ap.add_argument("--profile", metavar="TRACE_JSON",
                    help="after the timed steps, profile --profile-steps more with torch.profiler (chrome trace)")
    ap.add_argument("--profile-steps", type=int, default=10)
    ap.add_argument("--serve", action="store_true",
                    help="after the warm-up, run a block of steps per 'BLOCK n' line of stdin until END")
    a = ap.parse_args()
    if a.serve and a.profile:
        ap.error("--profile profiles the steps after --steps timed ones; it does not combine with --serve")
    global HEADS, WIDTH, LAYERS, FFN
    HEADS, WIDTH, LAYERS, FFN = SIZES[a.size]
    torch.set_num_threads(a.threads)
    torch.manual_seed(17)
    b = a.batch
    llm = freeze(Opt(a.llm_vocab))
    llm_ids, llm_mask = tokens(b, a.llm_len, a.llm_vocab, 1, 2)
    frozen = sum(p.numel() for p in llm.parameters())
    if a.model == "pformer":
        model = PFormer(a.text_vocab)
        ids, mask = tokens(b, a.text_len, a.text_vocab, 0, 2)
        table = llm.embed_tokens.weight.detach().clone()
        norms = table.square().sum(1)

        def losses():
            return model.losses(ids, mask, llm_ids, llm_mask, llm, table, norms)

        clamp = model.temp
    else:
        vit = freeze(Vit(a.image))
        pixels = torch.randn(b, 3, a.image, a.image)
        targets = torch.randn(b, NUM_QUERY, WIDTH)
        if a.model == "stage1":
            model = Stage1(a.text_vocab)
            frozen = sum(p.numel() for p in vit.parameters())
            ids, mask = tokens(b, a.text_len, a.text_vocab, 0, 2)

            def losses():
                with torch.no_grad():
                    image_tokens = vit(pixels)
                return model.losses(image_tokens, ids, mask, a.text_vocab - 1, targets, 10.0)

            clamp = model.temp
        else:
            model = Stage2(a.text_vocab)
            frozen += sum(p.numel() for p in vit.parameters())

            def losses():
                with torch.no_grad():
                    image_tokens = vit(pixels)
                return model.losses(image_tokens, llm, llm_ids, llm_mask, targets, 100.0)

            clamp = None
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = adamw(model, 1e-4)

    def step():
        started = time.perf_counter()
        if clamp is not None:
            with torch.no_grad():
                clamp.clamp_(0.001, 0.5)
        opt.zero_grad(set_to_none=True)
        terms = losses()
        total = sum(terms.values())
        total.backward()
        values = {k: v.item() for k, v in terms.items()}  # the Java trainer reads every term for its log
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        return (time.perf_counter() - started) * 1e3, sum(values.values())

    for _ in range(a.warmup):
        step()
    times, loss = [], 0.0

    def timed(n):
        """Runs n steps; returns their times (ms) and the last loss."""
        out = [step() for _ in range(n)]
        return [ms for ms, _ in out], out[-1][1]

    if a.serve:
        print(f"READY warmup={a.warmup}", flush=True)
        for line in sys.stdin:
            words = line.split()
            if words == ["END"]:
                break
            if len(words) != 2 or words[0] != "BLOCK" or not words[1].isdigit() or int(words[1]) <= 0:
                sys.exit(f"standard input: expected 'BLOCK <steps > 0>' or 'END', got {line.strip()!r}")
            n = int(words[1])
            started = time.perf_counter()
            block, loss = timed(n)
            wall = (time.perf_counter() - started) * 1e3
            times += block
            print(f"BLOCK steps={n} ms_per_step={wall / n:.3f} median_ms={statistics.median(block):.3f}", flush=True)
        if not times:
            sys.exit("--serve: input ended before any BLOCK")
    else:
        times, loss = timed(a.steps)
    if a.profile:
        # the same libtorch profiler the Java side starts (JniUtils.startProfile), for bench/profile_compare.py
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
            for _ in range(a.profile_steps):
                step()
        prof.export_chrome_trace(a.profile)
    print(f"RESULT model={a.model} mean_ms={statistics.fmean(times):.3f} median_ms={statistics.median(times):.3f} "
          f"steps={len(times)} warmup={a.warmup} batch={b} trainable={sum(p.numel() for p in trainable)} "
          f"frozen={frozen} threads={torch.get_num_threads()} torch={torch.__version__} loss={loss:.4f}")


if __name__ == "__main__":
    main()
