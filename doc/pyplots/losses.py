"""The losses of sklreg as functions of the residual r = y - x.w - b."""
import matplotlib.pyplot as plt
import numpy as np

r = np.linspace(-3, 3, 601)
eps = 1.35
huber = np.where(np.abs(r) <= eps, r ** 2, 2 * eps * np.abs(r) - eps ** 2)


def pinball(r, tau):
    return r * (tau - (r < 0))


fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
left.plot(r, r ** 2, label="squared  $r^2$")
left.plot(r, huber, label=r"Huber $H_\epsilon(r)$, $\epsilon=1.35$")
left.plot(r, np.abs(r), label="absolute  $|r|$")
left.axvspan(-eps, eps, color="tab:orange", alpha=0.08)
left.set_title("squared, Huber, absolute")
for tau, style in [(0.1, "-"), (0.5, "--"), (0.9, "-")]:
    right.plot(r, pinball(r, tau), style, label=fr"pinball $\rho_\tau(r)$, $\tau={tau}$")
right.set_title("pinball (quantile)")
for ax in (left, right):
    ax.set_xlabel("residual  $r = y - x^\\top w - b$")
    ax.set_ylim(-0.1, 4)
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.legend(fontsize="small", loc="upper center")
left.set_ylabel("loss")
fig.tight_layout()
