#!/usr/bin/env python3
"""Reference values for the parity tests of org.pformer.metrics.

Caption metrics come from pycocoevalcap (PyPI), run exactly as its COCOEvalCap.evaluate does: PTB tokenisation
of references and predictions (separately), then Bleu(4), Meteor, Rouge, Cider (and Spice when its CoreNLP 3.6.0
jars are present). Every domain subset is scored as its own evaluation, as the NoCaps evaluation does.

VQA accuracy comes from a transcription of the official VQA evaluator (vqaEval.py of the VQA API, current
version) and of the LAVIS copy that BLIP-2 / P-Former's reference code uses; the two differ in when answers are
normalised. The transcription keeps the official quirks (punctuation rules that test the raw text, at most 32
periods stripped because re.UNICODE lands in `count`, leave-one-out by dict inequality).

Inputs are generated from a fixed seed plus hand-made edge cases; outputs are written next to this script.
Re-run: see README.md in this directory.
"""
import argparse
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------------------------
# Caption inputs
# ---------------------------------------------------------------------------------------------------------------
SHAPES = ["circle", "square", "triangle", "star", "hexagon", "diamond", "cross", "heart"]
COLOURS = ["red", "green", "blue", "yellow", "purple", "orange", "white", "black"]
SIZES = {"small": ["small", "little", "tiny"], "large": ["large", "big", "huge"]}
RELATIONS = {
    "left": ["to the left of", "left of", "on the left side of"],
    "right": ["to the right of", "right of", "on the right of"],
    "above": ["above", "over", "on top of"],
    "below": ["below", "under", "beneath"],
}
DOMAINS = ["in-domain", "near-domain", "out-domain"]


def world_caption(rng, obj_a, obj_b, rel):
    size_a = rng.choice(SIZES[obj_a[0]])
    size_b = rng.choice(SIZES[obj_b[0]])
    rel_words = rng.choice(RELATIONS[rel])
    a = f"{size_a} {obj_a[1]} {obj_a[2]}"
    b = f"{size_b} {obj_b[1]} {obj_b[2]}"
    templates = [
        "a {a} {r} a {b}",
        "A {a} {r} a {b}.",
        "there is a {a} {r} a {b}",
        "an image with a {a} {r} a {b}",
        "the {a} is {r} the {b}.",
        "a {b} and a {a} {r} it",
        "{A} {r} {B}",
        "a picture showing a {a}, {r} a {b}!",
    ]
    t = rng.choice(templates)
    return t.format(a=a, b=b, r=rel_words, A=a.capitalize(), B=b)


def random_object(rng):
    return (rng.choice(["small", "large"]), rng.choice(COLOURS), rng.choice(SHAPES))


def perturb(rng, caption):
    words = caption.split()
    kind = rng.randrange(7)
    if kind == 0 and len(words) > 3:  # drop words
        for _ in range(rng.randint(1, 3)):
            if len(words) > 1:
                del words[rng.randrange(len(words))]
    elif kind == 1:  # swap a colour
        for i, w in enumerate(words):
            if w.strip(".,!").lower() in COLOURS:
                words[i] = rng.choice(COLOURS)
                break
    elif kind == 2:  # repeat a word
        i = rng.randrange(len(words))
        words[i:i] = [words[i]] * rng.randint(1, 4)
    elif kind == 3:  # swap shape
        for i, w in enumerate(words):
            if w.strip(".,!").lower() in SHAPES:
                words[i] = rng.choice(SHAPES)
    elif kind == 4:  # truncate
        words = words[: max(1, len(words) // 2)]
    elif kind == 5:  # uppercase + punctuation
        words = [w.upper() if rng.random() < 0.3 else w for w in words]
        words[-1] = words[-1] + rng.choice([".", "!", "?", "...", ";"])
    return " ".join(words)


HAND_MADE = [
    # (references, prediction)
    (["a dog runs across the grass", "a brown dog is running on a lawn", "the dog is running"], ""),
    (["a cat sits on a mat", "a cat on a mat"], "."),
    (["a cat sits on a mat", "a cat on a mat"], "!!! ??? ..."),
    (["Café naïve — résumé", "a café with naïve art"], "a café with naïve art"),
    (["“smart quotes” and ‘single ones’", "smart quotes and single ones"], "\"smart quotes\" and 'single ones'"),
    (["an emoji 😀 on a sign", "a sign with a smiley"], "a sign with an emoji 😀"),
    (["中文 字幕 测试", "chinese text"], "中文 测试"),
    (["three and a half 3 1/2 apples", "½ an apple"], "3 1/2 apples and ½"),
    (["1,000 people at 10:30 pm", "a crowd of 1000 people"], "1,000 people at 10:30"),
    (["$100 bill on a table", "a hundred dollar bill"], "a $ 100 bill"),
    (["the 2nd of the 3rd", "2nd place"], "the 2nd place"),
    (["3.5 meters tall", "three point five meters"], "3.5 meters"),
    (["a man's hat isn't red", "the man does not wear a red hat"], "a man 's hat is n't red"),
    (["can't won't don't", "cannot will not do not"], "can't won't"),
    (["a well-known e-mail address (work)", "a famous email address"], "a well-known e-mail (work) address"),
    (["brackets [like] {these} <here>", "brackets"], "[brackets] {like} these"),
    (["U.S.A. flag on a pole", "the american flag"], "u.s.a. flag"),
    (["a", "a"], "a"),
    (["dog"], "dog"),
    (["dog"], "cat"),
    (["a dog"], "a a a a a a a a a a a a"),
    (["the the the the", "the cat"], "the the the the"),
    (["a very long caption " + " ".join(["about many different things"] * 12), "short"],
     "a very long caption " + " ".join(["about many things"] * 15)),
    (["tabs\tand  double  spaces here", "tabs and double spaces"], "  tabs\tand double spaces  "),
    (["a line\nbreak inside", "a line break inside"], "a line\nbreak"),
    (["email me at someone@example.com", "an email address"], "someone@example.com"),
    (["see http://example.com/page now", "a web address"], "http://example.com/page"),
    (["-- dashes -- and - hyphens -", "dashes"], "- dashes --"),
    (["semi; colon: marks", "punctuation marks"], "semi ; colon : marks"),
    (["`backticks` and ''quotes''", "quotes"], "``backticks'' and quotes"),
    (["Mixed CASE Words", "mixed case words"], "MIXED case WORDS"),
    (["a non\u00a0breaking space", "a non breaking space"], "a non\u00a0breaking space"),
    (["A small red circle to the left of a large blue square.",
      "a little red circle left of a big blue square",
      "there is a small red circle to the left of a large blue square",
      "a large blue square and a small red circle left of it",
      "a red circle on the left of a blue square"],
     "a small red circle to the left of a large blue square"),
    (["a small red circle to the left of a large blue square"], "a large blue square to the right of a small red circle"),
    (["a small red circle to the left of a large blue square"], "a small red circle"),
    (["numbers 1 2 3 4 5 6 7 8 9 10", "ten numbers"], "1 2 3 4 5"),
    (["it's 5 o'clock", "five o'clock"], "it is five o'clock"),
    (["(parenthesised)", "parenthesised"], "(parenthesised)"),
    (["ellipsis… here", "ellipsis ... here"], "ellipsis... here"),
    (["em—dash and en–dash", "dashes"], "em — dash"),
    (["Ünïcödé ÀÉÎÕÜ ß", "unicode letters"], "ünïcödé ß"),
]


def caption_inputs(seed, n_world):
    rng = random.Random(seed)
    images = []
    for i, (refs, pred) in enumerate(HAND_MADE):
        images.append({"id": f"hand-{i:03d}", "refs": refs, "prediction": pred, "domain": DOMAINS[i % 3]})
    for i in range(n_world):
        obj_a, obj_b = random_object(rng), random_object(rng)
        rel = rng.choice(list(RELATIONS))
        n_refs = rng.choice([1, 2, 5, 5, 5, 10])
        refs = [world_caption(rng, obj_a, obj_b, rel) for _ in range(n_refs)]
        r = rng.random()
        if r < 0.35:
            pred = world_caption(rng, obj_a, obj_b, rel)
        elif r < 0.75:
            pred = perturb(rng, rng.choice(refs))
        elif r < 0.9:
            pred = world_caption(rng, random_object(rng), random_object(rng), rng.choice(list(RELATIONS)))
        elif r < 0.95:
            pred = rng.choice(["", "a", "shape", "a shape.", "red red red red"])
        else:
            pred = " ".join([world_caption(rng, obj_a, obj_b, rel)] * rng.randint(2, 4))
        images.append({"id": f"world-{i:04d}", "refs": refs, "prediction": pred, "domain": rng.choice(DOMAINS)})
    return images


# ---------------------------------------------------------------------------------------------------------------
# Caption reference scores (pycocoevalcap)
# ---------------------------------------------------------------------------------------------------------------
def caption_scores(images, with_meteor, with_spice):
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.cider.cider import Cider

    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({im["id"]: [{"caption": c} for c in im["refs"]] for im in images})
    res = tokenizer.tokenize({im["id"]: [{"caption": im["prediction"]}] for im in images})
    for im in images:  # pycocoevalcap silently misaligns lines when the tokenizer splits one; refuse such input
        assert len(gts[im["id"]]) == len(im["refs"]) and len(res[im["id"]]) == 1, im["id"]

    scorers = [(Bleu(4), ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"]), (Rouge(), "ROUGE_L"), (Cider(), "CIDEr")]
    if with_meteor:
        from pycocoevalcap.meteor.meteor import Meteor
        scorers.append((Meteor(), "METEOR"))
    if with_spice:
        from pycocoevalcap.spice import spice as spice_module
        launch_spice_on_modern_java(spice_module, with_spice)
        scorers.append((spice_module.Spice(), "SPICE"))

    subsets = {"overall": [im["id"] for im in images]}
    for d in DOMAINS:
        subsets[d] = [im["id"] for im in images if im["domain"] == d]

    out = {}
    for name, ids in subsets.items():
        g = {i: gts[i] for i in ids}
        r = {i: res[i] for i in ids}
        corpus, per_image = {}, {i: {} for i in ids}
        for scorer, method in scorers:
            score, scores = scorer.compute_score(g, r)
            methods = method if isinstance(method, list) else [method]
            scores = scores if isinstance(method, list) else [scores]
            score = score if isinstance(method, list) else [score]
            for m, sc, scs in zip(methods, score, scores):
                corpus[m] = float(sc)
                for i, s in zip(g.keys(), scs):
                    per_image[i][m] = float(s["All"]["f"]) if m == "SPICE" else float(s)
        out[name] = {"corpus": corpus, "perImage": per_image}
    return {"tokenized": {"refs": gts, "predictions": {k: v[0] for k, v in res.items()}}, "sets": out}


def launch_spice_on_modern_java(spice_module, extra_classpath):
    """pycocoevalcap starts `java -jar spice-1.0.jar ... -cache DIR`; on Java 15+ SPICE needs a standalone Nashorn
    on the class path (its script engine lookup returns null otherwise) and its LMDB cache fails (its serialiser
    cannot reach JDK internals). Neither changes a score: start the same main class with the extra class path and
    without the cache. Every other argument is pycocoevalcap's own."""
    original = spice_module.subprocess.check_call

    def check_call(cmd, **kwargs):
        cmd = list(cmd)
        assert cmd[:2] == ["java", "-jar"] and cmd[3] == spice_module.SPICE_JAR, cmd
        i = cmd.index("-cache")
        del cmd[i:i + 2]
        cmd = ["java", cmd[2], "-cp", os.pathsep.join([spice_module.SPICE_JAR, extra_classpath]),
               "edu.anu.spice.SpiceScorer"] + cmd[4:]
        return original(cmd, **kwargs)

    spice_module.subprocess.check_call = check_call


# ---------------------------------------------------------------------------------------------------------------
# VQA: a transcription of the official evaluator's answer processing and accuracy
# ---------------------------------------------------------------------------------------------------------------
CONTRACTIONS = {
    "aint": "ain't", "arent": "aren't", "cant": "can't", "couldve": "could've", "couldnt": "couldn't",
    "couldn'tve": "couldn't've", "couldnt've": "couldn't've", "didnt": "didn't", "doesnt": "doesn't",
    "dont": "don't", "hadnt": "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've", "hasnt": "hasn't",
    "havent": "haven't", "hed": "he'd", "hed've": "he'd've", "he'dve": "he'd've", "hes": "he's", "howd": "how'd",
    "howll": "how'll", "hows": "how's", "Id've": "I'd've", "I'dve": "I'd've", "Im": "I'm", "Ive": "I've",
    "isnt": "isn't", "itd": "it'd", "itd've": "it'd've", "it'dve": "it'd've", "itll": "it'll", "let's": "let's",
    "maam": "ma'am", "mightnt": "mightn't", "mightnt've": "mightn't've", "mightn'tve": "mightn't've",
    "mightve": "might've", "mustnt": "mustn't", "mustve": "must've", "neednt": "needn't", "notve": "not've",
    "oclock": "o'clock", "oughtnt": "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at", "shant": "shan't", "shed've": "she'd've", "she'dve": "she'd've", "she's": "she's",
    "shouldve": "should've", "shouldnt": "shouldn't", "shouldnt've": "shouldn't've",
    "shouldn'tve": "shouldn't've", "somebody'd": "somebodyd", "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've", "somebodyll": "somebody'll", "somebodys": "somebody's",
    "someoned": "someone'd", "someoned've": "someone'd've", "someone'dve": "someone'd've",
    "someonell": "someone'll", "someones": "someone's", "somethingd": "something'd",
    "somethingd've": "something'd've", "something'dve": "something'd've", "somethingll": "something'll",
    "thats": "that's", "thered": "there'd", "thered've": "there'd've", "there'dve": "there'd've",
    "therere": "there're", "theres": "there's", "theyd": "they'd", "theyd've": "they'd've",
    "they'dve": "they'd've", "theyll": "they'll", "theyre": "they're", "theyve": "they've", "twas": "'twas",
    "wasnt": "wasn't", "wed've": "we'd've", "we'dve": "we'd've", "weve": "we've", "werent": "weren't",
    "whatll": "what'll", "whatre": "what're", "whats": "what's", "whatve": "what've", "whens": "when's",
    "whered": "where'd", "wheres": "where's", "whereve": "where've", "whod": "who'd", "whod've": "who'd've",
    "who'dve": "who'd've", "wholl": "who'll", "whos": "who's", "whove": "who've", "whyll": "why'll",
    "whyre": "why're", "whys": "why's", "wont": "won't", "wouldve": "would've", "wouldnt": "wouldn't",
    "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've", "yall": "y'all", "yall'll": "y'all'll",
    "y'allll": "y'all'll", "yall'd've": "y'all'd've", "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've",
    "youd": "you'd", "youd've": "you'd've", "you'dve": "you'd've", "youll": "you'll", "youre": "you're",
    "youve": "you've",
}
NUMBER_WORDS = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
ARTICLES = {"a", "an", "the"}
PUNCT = [";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"]
PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")
COMMA_STRIP = re.compile(r"(\d)(,)(\d)")


def process_punctuation(text):
    out = text
    for p in PUNCT:
        if (p + " " in text or " " + p in text) or COMMA_STRIP.search(text) is not None:
            out = out.replace(p, "")
        else:
            out = out.replace(p, " ")
    return PERIOD_STRIP.sub("", out, re.UNICODE)  # sic: re.UNICODE (32) is the `count` argument


def process_digit_article(text):
    words = [NUMBER_WORDS.get(w, w) for w in text.lower().split()]
    words = [w for w in words if w not in ARTICLES]
    return " ".join(CONTRACTIONS.get(w, w) for w in words)


def clean(text):
    return text.replace("\n", " ").replace("\t", " ").strip()


def vqa_question_accuracy(answers, prediction, variant):
    answers = [dict(a) for a in answers]
    if variant == "official":
        for a in answers:
            a["answer"] = clean(a["answer"])
        res = clean(prediction)
        if len({a["answer"] for a in answers}) > 1:
            for a in answers:
                a["answer"] = process_digit_article(process_punctuation(a["answer"]))
            res = process_digit_article(process_punctuation(res))
    elif variant == "lavis":
        res = process_digit_article(process_punctuation(clean(prediction)))
        if len({a["answer"] for a in answers}) > 1:
            for a in answers:
                a["answer"] = process_punctuation(a["answer"])
    else:
        raise ValueError(variant)
    accs = []
    for gt in answers:
        others = [a for a in answers if a != gt]
        accs.append(min(1, float(len([a for a in others if a["answer"] == res])) / 3))
    return float(sum(accs)) / len(accs)


def vqa_scores(annotations, results, variant):
    pred = {r["question_id"]: r["answer"] for r in results}
    per_q, per_qt, per_at, all_acc = {}, {}, {}, []
    for ann in annotations:
        acc = vqa_question_accuracy(ann["answers"], pred[ann["question_id"]], variant)
        all_acc.append(acc)
        per_q[str(ann["question_id"])] = 100 * acc
        per_qt.setdefault(ann["question_type"], []).append(acc)
        per_at.setdefault(ann["answer_type"], []).append(acc)

    def pct(xs):
        return 100 * float(sum(xs)) / len(xs)

    raw = {"overall": pct(all_acc), "perQuestionType": {k: pct(v) for k, v in per_qt.items()},
           "perAnswerType": {k: pct(v) for k, v in per_at.items()}, "perQuestion": per_q}
    rounded = {"overall": round(raw["overall"], 2),
               "perQuestionType": {k: round(v, 2) for k, v in raw["perQuestionType"].items()},
               "perAnswerType": {k: round(v, 2) for k, v in raw["perAnswerType"].items()},
               "perQuestion": {k: round(v, 2) for k, v in per_q.items()}}
    return {"raw": raw, "rounded": rounded}


def gqa_scores(questions, results):
    """Exact match after the VQA normalisation of both sides (LAVIS normalises the prediction only; the
    official GQA answers are already in normal form, so the two agree on them)."""
    pred = {r["question_id"]: r["answer"] for r in results}
    per_q = {}
    for q in questions:
        p = process_digit_article(process_punctuation(pred[q["question_id"]]))
        g = process_digit_article(process_punctuation(q["answer"]))
        per_q[str(q["question_id"])] = 1.0 if p == g else 0.0
    return {"overall": 100 * sum(per_q.values()) / len(per_q), "perQuestion": per_q}


VQA_ANSWER_POOL = [
    "yes", "no", "Yes", "no.", "2", "two", "Two", "ten", "10", "none", "0", "zero", "1,000", "1000", "3.5",
    "a dog", "the dog", "dog", "an apple", "apple", "dont", "don't", "isnt", "isn't", "t-shirt", "t shirt",
    "black/white", "black and white", "left, right", "u.s.", "us", "red!", "red", "red?", "(red)", "Red",
    "café", "cafe", "  red  ", "red\tcircle", "red circle", "circle", "small red circle", "the small red circle",
    "it's red", "its red", "one", "1", "3", "three", "4", "four", "none of them", "a.b.c.d", "e.g.", "a-b c",
    "10:30", "@home", "home", "100%", "#1", "1st", "first", "x+y", "=", "___", "", "hello world", "yes, sir",
    "yes ,sir", "blue; green", "blue green", "whats up", "what's up", "oclock", "o'clock",
]
QUESTION_KINDS = [
    ("what color is the", "other"), ("how many", "number"), ("is there a", "yes/no"), ("what shape is", "other"),
    ("what is", "other"), ("are there", "yes/no"),
]


def vqa_inputs(seed, n):
    rng = random.Random(seed)
    anns, results = [], []
    many_periods = "a." * 40  # more than the 32 periods the official regex substitution strips
    hand = [
        (["2"] * 10, "two"), (["two"] * 10, "two"), (["two"] * 10, "2"), (["yes"] * 10, "Yes"),
        (["2"] * 7 + ["two"] * 3, "two"), (["a dog"] * 5 + ["dog"] * 5, "the dog"), ([many_periods] * 4 + ["x"] * 6,
        many_periods), (["1,000"] * 5 + ["1000"] * 5, "1,000"), (["red"] * 3 + ["blue"] * 7, "red"),
        (["red"] * 2 + ["blue"] * 8, "red"), (["red"] * 1 + ["blue"] * 9, "red"), (["red"] * 4 + ["blue"] * 6, "red"),
        (["dont"] * 5 + ["don't"] * 5, "dont"), (["yes"] * 9 + ["no"], ""), (["black/white"] * 6 + ["gray"] * 4,
        "black/white"), (["left, right"] * 5 + ["left"] * 5, "left right"), (["3.5"] * 5 + ["35"] * 5, "3.5"),
        (["u.s."] * 5 + ["usa"] * 5, "us"), (["café"] * 6 + ["cafe"] * 4, "Café"), (["red circle"] * 6 + ["red"] * 4,
        "red\tcircle\n"),
    ]
    qid = 1000
    for i in range(len(hand) + n):
        if i < len(hand):
            answers, prediction = hand[i]
        else:
            base = rng.sample(VQA_ANSWER_POOL, rng.randint(1, 4))
            answers = [rng.choice(base) for _ in range(10)]
            prediction = rng.choice(base + [rng.choice(VQA_ANSWER_POOL)])
        qtype, atype = rng.choice(QUESTION_KINDS)
        anns.append({
            "question_id": qid, "image_id": 500 + i // 3, "question_type": qtype, "answer_type": atype,
            "multiple_choice_answer": answers[0],
            "answers": [{"answer": a, "answer_confidence": rng.choice(["yes", "maybe", "no"]), "answer_id": k + 1}
                        for k, a in enumerate(answers)],
        })
        results.append({"question_id": qid, "answer": prediction})
        qid += 1
    return anns, results


def gqa_inputs(seed, n):
    rng = random.Random(seed)
    questions, results = [], []
    for i in range(n):
        answer = rng.choice(VQA_ANSWER_POOL)
        pred = answer if rng.random() < 0.4 else rng.choice(VQA_ANSWER_POOL)
        questions.append({"question_id": f"g{i}", "question": "q", "answer": answer})
        results.append({"question_id": f"g{i}", "answer": pred})
    return questions, results


def dump(name, obj):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20240607)
    ap.add_argument("--world-images", type=int, default=260)
    ap.add_argument("--vqa-questions", type=int, default=380)
    ap.add_argument("--no-meteor", action="store_true", help="skip METEOR (needs java on PATH)")
    ap.add_argument("--spice", metavar="CLASSPATH", default=None,
                    help="also run SPICE; CLASSPATH holds Nashorn 15.4 + ASM jars (CoreNLP 3.6.0 jar and models "
                         "jar must be in pycocoevalcap/spice/lib)")
    args = ap.parse_args()

    images = caption_inputs(args.seed, args.world_images)
    dump("caption_input.json", {"images": images})
    dump("caption_expected.json", caption_scores(images, not args.no_meteor, args.spice))

    anns, results = vqa_inputs(args.seed + 1, args.vqa_questions)
    dump("vqa_annotations.json", {"annotations": anns})
    dump("vqa_results.json", results)
    dump("vqa_expected.json", {v: vqa_scores(anns, results, v) for v in ("official", "lavis")})

    questions, gres = gqa_inputs(args.seed + 2, 200)
    dump("gqa_questions.json", questions)
    dump("gqa_results.json", gres)
    dump("gqa_expected.json", gqa_scores(questions, gres))
    print(f"{len(images)} caption images, {len(anns)} VQA questions, {len(questions)} GQA questions", file=sys.stderr)


if __name__ == "__main__":
    main()
