"""helpers.cost.sentences: every cost sentence flips with the numbers of a fabricated record (speed, variants,
the GEMM bound, the phase check, memory, targets, the week-1 reproduction, the Markdown summary)."""

from __future__ import annotations

import json

import pytest

from helpers.cost import figures as cost_figures
from helpers.cost import record as cost_record
from helpers.cost import sentences
from tests.cost.records import FAST_NUMPY, SLOW_TORCH, fabricated, met


def test_speed_words_flip_with_the_numbers():
    fast = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    slow = " ".join(sentences.speed_sentences(fabricated(SLOW_TORCH, FAST_NUMPY)))
    assert "NumPy was 3.0 x faster than PyTorch" in fast  # 2 s against 6 s to early stop
    assert "faster than PyTorch at batch 512" in fast and "slower than PyTorch at batch 512" in slow
    assert "its lead shrinks as the batch grows" in fast
    assert "NumPy stays ahead of it" in fast and "it overtakes NumPy" in slow


def test_the_fastest_variant_is_named_and_compared():
    fused = {64: 1.0, 512: 0.05, 4096: 0.02}
    text = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "the fastest variant is fused Adam" in text and "it overtakes NumPy" in text
    plain = " ".join(sentences.speed_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "none of the variants beats the plain twin" in plain
    variants = " ".join(sentences.variant_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, fused=fused)))
    assert "5.00 x the plain speed at batch 512 (a gain)" in variants and variants.startswith("fused Adam:")
    assert "float64: 0.50 x the plain speed" in variants and "(a loss)" in variants
    assert "not measured in this light benchmark" in variants


def test_gemm_bound_and_phase_check_flip():
    within = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0)  # 1.46 GFLOP at 80 GFLOP/s: 18 ms; epoch 30 ms
    outside = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, phase_error=0.3)
    assert met(within, "gemm_bound_factor") and not met(outside, "gemm_bound_factor")
    assert "within the 2 x target" in " ".join(sentences.arithmetic_sentences(within))
    assert "outside the 2 x target" in " ".join(sentences.arithmetic_sentences(outside))
    assert "inside the 10 % tolerance" in " ".join(sentences.breakdown_sentences(within))
    assert "outside the 10 % tolerance" in " ".join(sentences.breakdown_sentences(outside))
    assert not met(outside, "phase_sum_error") and met(within, "phase_sum_error")


def test_the_products_alone_say_whether_the_gemm_bound_is_reachable():
    # 1.46 GFLOP at 400 GFLOP/s: a 3.7 ms bound; the NumPy epoch at 4,096 takes 30 ms
    out_of_reach = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0,
                              products={"numpy": {4096: 0.02}, "torch": {4096: 0.021}})
    cell = out_of_reach["summary"]["arithmetic"]["numpy"]["4096"]
    assert cell["products_x_bound"] == pytest.approx(0.02 / cell["gemm_bound_seconds"])
    assert cell["x_products"] == pytest.approx(0.03 / 0.02)
    text = " ".join(sentences.arithmetic_sentences(out_of_reach))
    assert "outside the 2 x target" in text and "take 20 ms in NumPy" in text
    assert "no NumPy training loop can meet the 2 x target" in text
    assert "The rest of the NumPy epoch, 10 ms (33%)" in text
    # PyTorch's epoch is 20 ms longer, its products only 1 ms: the difference is elsewhere
    assert "The PyTorch epoch is 20 ms longer than NumPy's; the products account for only 1 ms of it" in text
    assert "most of the difference lies outside the matrix products" in text
    faster = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.02}, "torch": {4096: 0.012}})
    assert ("torch's products are 8 ms faster than NumPy's, so the whole difference, and more, lies outside"
            in " ".join(sentences.arithmetic_sentences(faster)))
    borderline = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.0073}})  # 2.0 x
    assert "use up about the whole 2 x allowance" in " ".join(sentences.arithmetic_sentences(borderline))
    reachable = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=400.0, products={"numpy": {4096: 0.005}})
    text = " ".join(sentences.arithmetic_sentences(reachable))
    assert "The products alone fit within 2 x" in text and "no NumPy training loop" not in text
    # no products measured (an older record): no floor sentences, no error
    assert "products alone" not in " ".join(sentences.arithmetic_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    table = cost_figures.arithmetic_table(out_of_reach)
    assert table.loc["NumPy MLP, 4,096", "products alone (s)"] == pytest.approx(0.02)


def test_memory_names_the_optimisers_compiler_stack_and_the_private_part():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, optim=70)
    text = " ".join(sentences.memory_sentences(record))
    assert "constructing torch.optim.Adam +70 MB" in text
    assert "loads 800 more modules, among them sympy, torch._dynamo" in text
    assert "30 kB of float32 moments" in text  # 2 x (25*64+64 + 64*32+32 + 32+1) parameters x 4 bytes
    assert "the NumPy process holds 100 MB of private memory and 40 MB of mapped library pages" in text
    assert "the PyTorch process 270 MB and 120 MB" in text
    plain = " ".join(sentences.memory_sentences(fabricated(FAST_NUMPY, SLOW_TORCH)))
    assert "torch.optim.Adam" not in plain and "private memory" not in plain
    table = cost_figures.memory_table(record)
    assert table.loc["PyTorch MLP, + torch.optim.Adam", "added MB"] == pytest.approx(70)


def test_a_missed_peak_says_how_much_of_it_is_private():
    record = fabricated(FAST_NUMPY, SLOW_TORCH, torch_peak=486, optim=70)  # 120 MB of it mapped files
    text = " ".join(sentences.targets_sentences(record))
    assert "missed: torch peak MB <= 400 (measured 486)" in text
    assert "The PyTorch process's private memory at the end of training, 366 MB, is within the 400 MB target" in text
    assert "other 120 MB of the reading are mapped library pages" in text
    met = " ".join(sentences.targets_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0, optim=70)))
    assert "private memory" not in met


def test_breakdown_explains_fixed_cost_against_arithmetic():
    # PyTorch: 1 ms per step plus 1 us per row; NumPy: 0.1 ms plus 1 us per row
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for backend, fixed in (("numpy", 1e-4), ("torch", 1e-3)):
        for b, cell in record["summary"]["phases"][backend].items():
            cell["step_seconds"] = fixed + 1e-6 * int(b)
        record["summary"]["step_model"][backend] = cost_record._per_step_model(
            {int(b): c for b, c in record["summary"]["phases"][backend].items()})
    text = " ".join(sentences.breakdown_sentences(record))
    assert "PyTorch pays about 1000 us per step" in text and "NumPy about 100 us" in text
    assert "PyTorch's fixed cost" in text and "the two converge" in text


def test_memory_and_targets_flip():
    lean = fabricated(FAST_NUMPY, SLOW_TORCH, gemm=80.0, numpy_peak=140, torch_peak=390)
    heavy = fabricated(FAST_NUMPY, SLOW_TORCH, numpy_peak=160, torch_peak=120)
    assert "PyTorch needs 250 MB more" in " ".join(sentences.memory_sentences(lean))
    assert "PyTorch needs 40 MB less" in " ".join(sentences.memory_sentences(heavy))
    assert "torch +230 MB" in " ".join(sentences.memory_sentences(lean))
    assert sentences.targets_sentences(lean)[0].startswith(f"{len(lean['summary']['targets'])} of")
    missed = sentences.targets_sentences(heavy)[0]
    assert "missed: numpy peak MB <= 150 (measured 160)" in missed


def test_week1_reproduction_is_judged_from_the_numbers():
    close = " ".join(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 2000.0))))
    far = " ".join(sentences.week1_sentences(fabricated(FAST_NUMPY, SLOW_TORCH, week1=(450.0, 550.0))))
    assert "The week-1 PyTorch figure is reproduced within 5%" in close
    assert "The week-1 PyTorch figure is 1,545 MB above this reproduction" in far


def test_summary_markdown_and_figures_come_from_the_record():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    text = sentences.summary_markdown(record)
    assert "test CPU" in text and "| numpy peak MB <= 150" in text and "NumPy MLP, 4,096" in text
    figures = cost_figures.all_figures(record)
    assert {"epoch_vs_batch", "phase_breakdown", "gflops", "memory_stack", "variants"} <= set(figures)
    for frame in (cost_figures.phase_table(record), cost_figures.variant_table(record),
                  cost_figures.memory_table(record), cost_figures.targets_table(record)):
        assert len(frame) > 0


def test_compile_cost_is_reported_with_its_source():
    record = fabricated(FAST_NUMPY, SLOW_TORCH)
    for state, cost in (("cold", 33.0), ("warm", 4.0)):
        record["measurements"].append({"backend": "torch", "threads": 1, "kind": "compile", "cache": state,
                                       "epoch_seconds": {"512": 0.2, "4096": 0.05},
                                       "compile_seconds": {"512": cost, "4096": cost / 2},
                                       "reused_from": "2026-01-02T00:00:00Z"})
    record["summary"] = json.loads(json.dumps(cost_record.summarise(record)))
    text = " ".join(sentences.variant_sentences(record))
    assert "torch.compile costs 33 s" in text and "4 s once its on-disk cache is warm" in text
    assert "make bench` of 2026-01-02T00:00:00Z, reused here" in text
    assert "torch.compile" in record["summary"]["variants"]["epoch_seconds"]
    assert "PyTorch torch.compile" in cost_figures.variant_table(record).index
