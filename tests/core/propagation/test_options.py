"""Unknown propagation options fail loudly; shared options go to the methods that take them."""

from __future__ import annotations

import pytest

from stdpose_core.errors import StdposeError
from stdpose_core.propagation import get_propagator
from stdpose_core.propagation.base import method_options, options_for


def test_a_misspelt_option_is_an_error_that_lists_the_real_ones():
    with pytest.raises(StdposeError, match=r"'flow' has no option 'wieghts' \(its options: chunk, eps, iters, levels, max_residual, min_size, win\)"):
        get_propagator("flow", wieghts="model.pt")
    with pytest.raises(StdposeError, match="'interp' has no option 'device' \\(its options: none\\)"):
        get_propagator("interp", device="cpu")
    with pytest.raises(StdposeError, match="no option 'wieghts'"):
        get_propagator("auto", wieghts="model.pt")


def test_options_each_method_really_takes_still_work():
    assert get_propagator("flow", chunk=8).chunk == 8
    assert get_propagator("interp", device=None).name == "interp"  # None = not given
    assert {"weights", "device", "batch", "runtime"} <= method_options("stdpose")
    assert method_options("auto") == method_options("stdpose") | {"choice"}  # + how a gated model is used


def test_shared_options_go_where_they_apply():
    per = options_for(["interp", "flow", "auto"], {"weights": "m.pt", "device": None})
    assert per == {"interp": {}, "flow": {}, "auto": {"weights": "m.pt"}}
    with pytest.raises(StdposeError, match="'device' is not used by method\\(s\\) interp, flow"):
        options_for(["interp", "flow"], {"device": "cuda"})
