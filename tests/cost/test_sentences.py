"""helpers.cost.sentences: every cost sentence flips with the numbers of a fabricated record (the verdict,
speed and its ratios with their spread, variants and switches, the products target, the phase check, memory,
rows, targets, the week-1 reproduction, the conclusions and the Markdown summary)."""

from __future__ import annotations

import json

import pytest

from helpers.cost import figures as cost_figures
from helpers.cost import record as cost_record
from helpers.cost import sentences
from tests.cost.records import (
    FAST_NUMPY,
    SLOW_TORCH,
    fabricated,
    met,
    rows_repeat,
)


def _text(lines) -> str:
    return " ".join(lines)


def _with_steps(record: dict, numpy: tuple[float, float], torch: tuple[float, float]) -> dict:
    """The record with step times ``fixed + per_row x batch`` per backend, and the fitted lines redone."""
    for backend, (fixed, per_row) in (("numpy", numpy), ("torch", torch)):
        for b, cell in record["summary"]["phases"][backend].items():
            cell["step_seconds"] = fixed + per_row * int(b)
        record["summary"]["step_model"][backend] = cost_record._per_step_model(
            {int(b): c for b, c in record["summary"]["phases"][backend].items()})
    return record


# ----------------------------------------------------------------------------- the answer first
def test_the_verdict_says_how_much_faster_how_much_more_memory_and_why():
    record = _with_steps(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 1.1, 1.2), optim=70),
                         numpy=(1e-4, 1e-6), torch=(1e-3, 1e-6))
    speed, memory, why, contestant = sentences.verdict_sentences(record)
    assert speed.startswith("**Speed.** At the report's batch size (512) on one thread, an epoch takes 80 ms in NumPy "
                            "and 250 ms in PyTorch: NumPy is 2.8 x faster (2.6 to 3.1 x across 3 interleaved")
    assert memory == ("**Memory.** At the end of training the PyTorch process holds 280 MB and the NumPy process 90 MB "
                      "of private memory (USS): PyTorch needs 190 MB more, 3.1 x as much (peak resident 390 and "
                      "140 MB).")
    assert "a PyTorch training step takes 1.51 ms and a NumPy step 0.61 ms" in why
    assert "all of that gap in a fixed cost PyTorch pays on every step" in why and "dispatcher" in why
    assert "PyTorch's extra memory is the framework's, not the network's: importing torch adds 230 MB" in why
    assert "constructing torch.optim.Adam 70 MB more (it loads sympy, torch._dynamo)" in why
    assert sentences.verdict_markdown(record).startswith("- **Speed.**")
    assert contestant == "**Against scikit-learn's MLPClassifier.** Not measured at batch 512 in this benchmark."


def test_the_verdict_flips_with_the_numbers():
    slower = fabricated(SLOW_TORCH, FAST_NUMPY, numpy_uss=300, torch_uss=120)
    speed, memory, *_ = sentences.verdict_sentences(slower)
    assert "PyTorch is 3.1 x faster (one sweep" not in speed and "PyTorch is 3.1 x faster" in speed
    assert "PyTorch needs 180 MB less, 0.4 x as much" in memory
    noisy = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 4.0))
    assert "neither is faster in every one of 2 interleaved sweep pairs" in sentences.verdict_sentences(noisy)[0]
    arithmetic = _with_steps(fabricated(FAST_NUMPY, SLOW_TORCH), numpy=(1e-4, 1e-6), torch=(1e-4, 3e-6))
    why = sentences.verdict_sentences(arithmetic)[2]
    assert "most of that gap in the arithmetic that grows with the batch (3000 ns per row against 1000 ns)" in why
    numpy_slow = _with_steps(fabricated(FAST_NUMPY, SLOW_TORCH), numpy=(2e-3, 1e-6), torch=(1e-4, 1e-6))
    why = sentences.verdict_sentences(numpy_slow)[2]
    assert "a NumPy training step takes" in why and "fixed cost NumPy pays on every step" in why
    heavy_training = fabricated(FAST_NUMPY, SLOW_TORCH, torch_peak=900)
    assert "PyTorch's extra memory is mostly its training's: 560 MB" in sentences.verdict_sentences(heavy_training)[2]
    assert "PyTorch's process is the smaller" in sentences.verdict_sentences(slower)[2]


def test_the_verdict_says_what_it_lacks():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    assert sentences.verdict_sentences(record, 1024)[0] == "**Speed.** Not measured at batch 1,024 in this benchmark."


# ----------------------------------------------------------------------------- speed
def test_speed_words_flip_with_the_numbers():
    fast = _text(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    slow = _text(sentences.speed_sentences(fabricated(SLOW_TORCH, FAST_NUMPY)))
    assert "NumPy was 3.0 x faster than PyTorch" in fast  # 2 s against 6 s to early stop
    assert "faster than PyTorch at batch 512" in fast and "slower than PyTorch at batch 512" in slow
    assert "its lead shrinks as the batch grows" in fast
    assert "NumPy stays ahead of it" in fast and "it overtakes NumPy" in slow


def test_each_judged_ratio_is_reported_with_its_spread_and_verdict():
    steady = _text(sentences.ratio_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 1.1, 1.2))))
    assert ("At batch 512, NumPy's epoch time over PyTorch's is 0.35 [0.32, 0.38] (range of 3 interleaved sweep "
            "pairs), against a target of at most 0.6: **met** (even its unfavourable end, 0.38, is within the limit "
            "of 0.6)") in steady
    straddles = _text(sentences.ratio_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 2.5))))
    assert "**not shown** (its spread, 0.32 to 0.80, straddles the limit of 0.6)" in straddles
    missed = _text(sentences.ratio_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(2.0, 2.5))))
    assert "**not met** (even its favourable end, 0.64, is over the limit of 0.6)" in missed


def test_the_fastest_variant_is_named_and_compared():
    fused = {64: 1.0, 512: 0.05, 4096: 0.02}
    text = _text(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "the fastest variant is fused Adam" in text and "it overtakes NumPy" in text
    plain = _text(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "none of the variants beats the plain twin" in plain
    variants = _text(sentences.variant_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "5.00 x the plain speed at batch 512 (a gain)" in variants and variants.startswith("fused Adam:")
    assert "float64: 0.50 x the plain speed" in variants and "(a loss)" in variants
    assert "not measured in this light benchmark" in variants


def test_compile_cost_is_reported_with_its_source():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for state, cost in (("cold", 33.0), ("warm", 4.0)):
        record["measurements"].append({"backend": "torch", "threads": 1, "kind": "compile", "cache": state,
                                       "epoch_seconds": {"512": 0.2, "4096": 0.05},
                                       "compile_seconds": {"512": cost, "4096": cost / 2},
                                       "reused_from": "2026-01-02T00:00:00Z"})
    record["summary"] = json.loads(json.dumps(cost_record.summarise(record)))
    text = _text(sentences.variant_sentences(record))
    assert "torch.compile costs 33 s" in text and "4 s once its on-disk cache is warm" in text
    assert "make bench` of 2026-01-02T00:00:00Z, reused here" in text
    assert "torch.compile" in record["summary"]["variants"]["epoch_seconds"]
    assert "PyTorch torch.compile" in cost_figures.variant_table(record).index
    # torch.compile at 512 (0.2 s) beats the plain twin (0.25 s): the switch summary names it
    assert "torch.compile buys the most speed at batch 512 (1.25 x the plain twin's" in \
        _text(sentences.switch_sentences(record))


# ----------------------------------------------------------------------------- what a PyTorch user can switch off
def test_switches_that_all_load_the_compiler_stack_are_said_to():
    text = _text(sentences.switch_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert ("None of the 3 settings measured (the plain twin, `TORCHDYNAMO_DISABLE=1` and fused Adam) keeps "
            "`torch.optim.Adam` from importing PyTorch's compiler stack: in each, constructing the optimiser loads 800 "
            "more modules, among them sympy, torch._dynamo, torch._inductor") in text
    assert "adds 70 MB of private memory with the plain twin, 70 MB with `TORCHDYNAMO_DISABLE=1`" in text
    assert "no setting saves more than 0 MB of private memory: the PyTorch process stays at about 280 MB against " \
           "NumPy's 90 MB" in text
    assert "An epoch at batch 512 takes 250 ms with the plain twin" in text
    items = sentences.conclusions(fabricated(FAST_NUMPY, SLOW_TORCH))
    switch = next(i for i in items if i.startswith("**What a PyTorch user can switch off.**"))
    assert "No setting measured (the plain twin, `TORCHDYNAMO_DISABLE=1` and fused Adam) keeps" in switch


def test_a_switch_that_avoids_the_compiler_stack_is_named():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, switches={"TORCHDYNAMO_DISABLE=1": []})
    text = _text(sentences.switch_sentences(record))
    assert ("`TORCHDYNAMO_DISABLE=1` keeps `torch.optim.Adam` from importing PyTorch's compiler stack: constructing "
            "it loads 5 more modules and adds 1 MB of private memory, against 800 modules and 70 MB with the plain "
            "twin") in text
    assert "With the plain twin and fused Adam the optimiser still loads sympy, torch._dynamo, torch._inductor" in text
    assert "None of the" not in text
    assert "`TORCHDYNAMO_DISABLE=1` saves 69 MB of private memory, leaving the PyTorch process at 211 MB" in text
    switch = next(i for i in sentences.conclusions(record) if i.startswith("**What a PyTorch user"))
    assert "`TORCHDYNAMO_DISABLE=1` keeps torch.optim.Adam from importing the compiler stack" in switch
    table = cost_figures.switch_table(record)
    assert table.loc["TORCHDYNAMO_DISABLE=1", "compiler stack loaded"] == "none"
    assert table.loc["plain", "compiler stack loaded"] == "sympy, torch._dynamo, torch._inductor"


def test_switches_not_measured_are_said_to_be():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    record["summary"]["adam_switches"] = {}
    assert "was not measured" in sentences.switch_sentences(record)[0]
    assert not any(i.startswith("**What a PyTorch user") for i in sentences.conclusions(record))


# ----------------------------------------------------------------------------- where the time goes
def test_products_target_and_phase_check_flip():
    within = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, numpy_factors=(1.0, 1.2))
    outside = fabricated(FAST_NUMPY, SLOW_TORCH, phase_error=0.3, products={"numpy": {4096: 0.01}})  # 3 x
    straddles = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, numpy_factors=(1.0, 1.5))
    assert met(within, "products_factor") is True and met(outside, "products_factor") is False
    assert met(straddles, "products_factor") is None
    assert ("the NumPy epoch over its own matrix products timed alone is 1.65 [1.50, 1.80] (range of 2 sweeps), "
            "against a target of at most 2: **met**") in _text(sentences.arithmetic_sentences(within))
    assert "is 3.00 (limit 2)" not in _text(sentences.arithmetic_sentences(outside))
    assert "alone is 3.00, against a target of at most 2: **not met** (limit 2)" in \
        _text(sentences.arithmetic_sentences(outside))
    assert "**not shown** (its spread, 1.50 to 2.25, straddles the limit of 2)" in \
        _text(sentences.arithmetic_sentences(straddles))
    assert "inside the 10 % tolerance" in _text(sentences.breakdown_sentences(within))
    assert "outside the 10 % tolerance" in _text(sentences.breakdown_sentences(outside))
    assert not met(outside, "phase_sum_error") and met(within, "phase_sum_error")


def test_the_products_alone_place_the_epoch_between_bound_and_rest():
    # 1.46 GFLOP at 400 GFLOP/s: a 3.7 ms bound; the NumPy epoch at 4,096 takes 30 ms
    narrow = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.02}, "torch": {4096: 0.021}})
    cell = narrow["summary"]["arithmetic"]["numpy"]["4096"]
    assert cell["products_x_bound"] == pytest.approx(0.02 / cell["gemm_bound_seconds"])
    assert cell["x_products"] == pytest.approx(0.03 / 0.02)
    text = _text(sentences.arithmetic_sentences(narrow))
    assert "take 20 ms in NumPy" in text and "runs well below its large-GEMM rate" in text
    assert "the rest of it, 10 ms (33%)" in text
    assert "That is why the arithmetic target is stated against the products alone" in text
    # PyTorch's epoch is 20 ms longer, its products only 1 ms: the difference is elsewhere
    assert "The PyTorch epoch is 20 ms longer than NumPy's; the products account for only 1 ms of it" in text
    assert "most of the difference lies outside the matrix products" in text
    faster = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.02}, "torch": {4096: 0.012}})
    assert ("torch's products are 8 ms faster than NumPy's, so the whole difference, and more, lies outside"
            in _text(sentences.arithmetic_sentences(faster)))
    same = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.02}, "torch": {4096: 0.0202}})
    assert "the products account for less than 1 ms of it" in _text(sentences.arithmetic_sentences(same))
    close = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0, products={"numpy": {4096: 0.02}})  # bound 18 ms
    text = _text(sentences.arithmetic_sentences(close))
    assert "runs close to its large-GEMM rate" in text and "That is why" not in text
    # no products measured (an older record): no floor sentences, no products target, no error
    assert "products alone" not in _text(sentences.arithmetic_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    table = cost_figures.arithmetic_table(narrow)
    assert table.loc["NumPy MLP, 4,096", "products alone (s)"] == pytest.approx(0.02)


def test_breakdown_explains_fixed_cost_against_arithmetic():
    # PyTorch: 1 ms per step plus 1 us per row; NumPy: 0.1 ms plus 1 us per row
    record = _with_steps(fabricated(FAST_NUMPY, SLOW_TORCH), numpy=(1e-4, 1e-6), torch=(1e-3, 1e-6))
    text = _text(sentences.breakdown_sentences(record))
    assert "PyTorch pays about 1000 us per step" in text and "NumPy about 100 us" in text
    assert "PyTorch's fixed cost" in text and "the two converge" in text


# ----------------------------------------------------------------------------- memory
def test_memory_reports_private_memory_beside_the_peak_and_judges_it():
    lean = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_uss=90, torch_uss=280)
    text = _text(sentences.memory_sentences(lean))
    assert "the NumPy process holds 90 MB of private memory (USS" in text and "the PyTorch process 280 MB" in text
    assert "PyTorch needs 190 MB more" in text and "PSS, which adds each shared page's share, is 98 and 288 MB" in text
    assert "the peak resident size is 140 and 390 MB" in text
    assert "NumPy 90 MB, **met** (limit 100 MB); PyTorch 280 MB, **met** (limit 300 MB)" in text
    heavy = _text(sentences.memory_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, numpy_uss=120, torch_uss=60)))
    assert "PyTorch needs 60 MB less" in heavy and "NumPy 120 MB, **not met** (limit 100 MB)" in heavy
    assert "torch +230 MB" in text


def test_memory_names_the_optimisers_compiler_stack_and_the_mapped_part():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, optim=70)
    text = _text(sentences.memory_sentences(record))
    assert "constructing torch.optim.Adam +70 MB" in text
    assert "loads 800 more modules, among them sympy, torch._dynamo" in text
    assert "30 kB of float32 moments" in text  # 2 x (25*64+64 + 64*32+32 + 32+1) parameters x 4 bytes
    assert "the NumPy process holds 100 MB anonymous (heap, arrays) and 40 MB of mapped library pages" in text
    assert "the PyTorch process 270 MB and 120 MB" in text and "judged on private memory (USS) instead" in text
    plain = _text(sentences.memory_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "torch.optim.Adam" not in plain and "anonymous" not in plain
    table = cost_figures.memory_table(record)
    assert table.loc["PyTorch MLP, + torch.optim.Adam", "added MB"] == pytest.approx(70)


def test_an_older_record_without_private_memory_falls_back_to_the_peak():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for cell in record["summary"]["train"].values():
        cell["uss_mb"] = cell["pss_mb"] = float("nan")
    assert "private memory was not measured" in _text(sentences.memory_sentences(record))
    assert "The PyTorch training process peaks at 390 MB" in sentences.verdict_sentences(record)[1]


def test_week1_reproduction_is_judged_from_the_numbers():
    close = _text(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 2000.0))))
    far = _text(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 550.0))))
    assert "The week-1 PyTorch figure is reproduced within 5%" in close
    assert "The week-1 PyTorch figure is 1,545 MB above this reproduction" in far


# ----------------------------------------------------------------------------- rows, targets, conclusions
def test_rows_slopes_are_worded_with_their_interval_and_verdict():
    steady = [rows_repeat(1.0), rows_repeat(1.02), rows_repeat(0.98)]
    noisy = [rows_repeat(0.9), rows_repeat(1.4, 2.0), rows_repeat(1.0, 1.2)]
    steep = [rows_repeat(1.3, 2.0), rows_repeat(1.32, 2.1), rows_repeat(1.28, 1.9)]
    record = fabricated(FAST_NUMPY, SLOW_TORCH, rows={"numpy": steady, "torch": noisy})
    numpy_text, torch_text = sentences.rows_sentences(record)
    assert numpy_text.startswith("NumPy: epoch time grows about linearly with the rows from 25,000 to 225,000 rows, "
                                 "log-log slope 1.00 [0.95, 1.05] (95 % t interval over 3 repeats): **met**")
    assert "Peak memory grows by 100 MB per million rows" in numpy_text
    assert "at a rate these repeats cannot pin down" in torch_text and "**not shown**" in torch_text
    steep_text = _text(sentences.rows_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, rows={"numpy": steep})))
    assert "faster than linearly" in steep_text and "**not met**" in steep_text
    assert sentences.rows_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)) == ["This benchmark has no rows sweep."]
    rows = next(i for i in sentences.conclusions(record) if i.startswith("**Scaling with rows.**"))
    assert "log-log slope 1.00 [0.95, 1.05]" in rows


def test_targets_are_counted_met_not_met_and_not_shown():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_factors=(1.0, 1.9), numpy_uss=120)
    head, *rest = sentences.targets_sentences(record)
    n = len(record["summary"]["targets"])
    assert head.startswith(f"Of {n} targets, each judged on the unfavourable end")
    assert f"{n - 2} are met, 1 not met and 1 not shown" in head
    assert "Not met: numpy private memory (USS) at the end of training <= 100 MB, measured 120." in rest
    assert rest[1].startswith("Not shown: numpy epoch <= 0.6 x torch at batch 512, measured 0.464 [0.32, 0.608]")
    clean = sentences.targets_sentences(fabricated(FAST_NUMPY, SLOW_TORCH))
    assert len(clean) == 1 and "0 not met and 0 not shown" in clean[0]


def test_conclusions_are_a_numbered_list_from_the_record():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, optim=70,
                        rows={"numpy": [rows_repeat(1.0), rows_repeat(1.01)]})
    items = sentences.conclusions(record)
    heads = [i.split(".**")[0] + ".**" for i in items]
    assert heads == ["**Speed.**", "**Where the time goes.**", "**Memory.**", "**What a PyTorch user can switch off.**",
                     "**Scaling with rows.**", "**Targets.**"]
    assert "NumPy is 3.1 x faster" in items[0] and "**met**" in items[0]
    assert "**met**" in items[2] and "PyTorch needs 190 MB more" in items[2]
    text = sentences.conclusions_markdown(record)
    assert text.startswith("1. **Speed.**") and "\n6. **Targets.**" in text
    slower = sentences.conclusions(fabricated(SLOW_TORCH, FAST_NUMPY, numpy_uss=300, torch_uss=120))
    assert "PyTorch is 3.1 x faster" in slower[0] and "**not met**" in slower[0]
    assert "PyTorch needs 180 MB less" in next(i for i in slower if i.startswith("**Memory.**"))
    assert not any(i.startswith("**Scaling with rows.**") for i in slower)


def test_source_sentence_names_what_the_light_benchmark_measures():
    text = sentences.source_sentences(fabricated(FAST_NUMPY, SLOW_TORCH))[0]
    assert "3 batch sizes in 2 interleaved sweeps per backend, a rows sweep over 30,000 to 270,000 rows (3 repeats)" \
        in text and "test CPU" in text


def test_summary_markdown_and_figures_come_from_the_record():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, products={"numpy": {4096: 0.02}}, numpy_factors=(1.0, 1.1),
                        rows={"numpy": [rows_repeat(1.0), rows_repeat(1.01)]})
    text = sentences.summary_markdown(record)
    assert "test CPU" in text and "| numpy private memory (USS) at the end of training <= 100 MB" in text
    assert "NumPy MLP, 4,096" in text and "- **Speed.**" in text and "range of 2 interleaved sweep pairs" in text
    assert "epoch time: log-log slope" in text and "TORCHDYNAMO_DISABLE=1" in text
    figures = cost_figures.all_figures(record)
    assert {"epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants", "epoch_seconds_vs_rows",
            "peak_mb_vs_rows"} <= set(figures)
    for frame in (cost_figures.phase_table(record), cost_figures.variant_table(record),
                  cost_figures.memory_table(record), cost_figures.targets_table(record)):
        assert len(frame) > 0
    older = fabricated(FAST_NUMPY, SLOW_TORCH)
    older["summary"]["ratio_spread"] = {}
    assert "ratio measured in this run" in sentences.summary_markdown(older)
