"""The mapping report's run-time part: router load and link traffic, and the board picture."""
import numpy as np

from core import Emulator, Machine, Network, Population, Projection, compile_network


def two_chip_network():
    """A source on chip 0 whose only target sits on a later chip (fillers in between)."""
    net = Network(0.1)
    src = net.add_population(Population("src", "IF_curr_exp", 50, parameters={"i_offset": 2.0}))
    for k in range(3):
        net.add_population(Population(f"filler{k}", "IF_curr_exp", 255 * 60))
    dst = net.add_population(Population("dst", "IF_curr_exp", 50))
    rng = np.random.default_rng(0)
    i, j = np.nonzero(rng.random((50, 50)) < 0.2)
    net.add_projection(Projection("p", src, dst, i, j, 0.1, 1))
    return net, src, dst


def test_router_and_link_load_count_every_packet_on_its_path(tmp_path):
    net, src, dst = two_chip_network()
    program = compile_network(net, Machine(n_chips=6))
    chips = {pe[0] for pe in program.report.population("src").pes} | {pe[0] for pe in program.report.population("dst").pes}
    assert len(chips) == 2                                   # the packets must cross links
    emu = Emulator(program, seed=1)
    emu.run(500)
    report = emu.report()
    sent = report.runtime["packets sent"]
    assert sent > 100
    a, b = sorted(chips)
    hops = len(report.link_load)                             # links on the source's route
    assert hops >= 1 and all(n == sent for n in report.link_load.values())
    assert report.router_load[a] == sent and report.router_load[b] == sent
    assert sum(report.router_load.values()) == sent * (hops + 1)          # a chain of hops + 1 routers
    assert "router load (packets per simulated second)" in str(report)
    emu.reset()
    assert emu.report().router_load == {}
    picture = tmp_path / "board.png"
    report.plot_board(str(picture))
    assert picture.stat().st_size > 1000
