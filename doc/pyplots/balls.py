"""L1, L2 and elastic-net balls and the least-squares contour touching each.

For a penalty ball {w : P(w) <= 1} and a quadratic Q(w) = (w - c)' A (w - c)
(least squares, minimised at c), the constrained solution is where the
smallest level set of Q touches the ball.  Both are found on the boundary,
parametrised by angle.
"""
import matplotlib.pyplot as plt
import numpy as np

c = np.array([0.65, 2.0])                  # the least-squares solution
A = np.array([[1.0, 0.6], [0.6, 1.0]])     # X'X: correlated features


def Q(w):
    d = w - c
    return np.einsum("...i,ij,...j->...", d, A, d)


def boundary(penalty, n=4000):
    """Points r(theta) u(theta) with P(r u) = 1 (P is positively homogeneous
    or a sum of such terms: solved in closed form below)."""
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    u = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    l1, l2sq = np.abs(u).sum(axis=1), (u ** 2).sum(axis=1)
    a, b = penalty                          # P(w) = a ||w||_1 + b ||w||_2^2
    if b == 0:
        radius = 1.0 / (a * l1)
    else:                                   # b l2sq r^2 + a l1 r - 1 = 0
        radius = (-a * l1 + np.sqrt((a * l1) ** 2 + 4 * b * l2sq)) / (2 * b * l2sq)
    return radius[:, None] * u


balls = {
    "L1 (lasso)": (1.0, 0.0),
    "L2 (ridge)": (0.0, 1.0),
    "elastic net (l1_ratio = 0.5)": (0.5, 0.5),
}
grid = np.linspace(-2.2, 3.2, 300)
W1, W2 = np.meshgrid(grid, grid)
levels = Q(np.stack([W1, W2], axis=-1))

fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True)
for ax, (name, penalty) in zip(axes, balls.items()):
    edge = boundary(penalty)
    best = edge[np.argmin(Q(edge))]
    ax.fill(edge[:, 0], edge[:, 1], color="tab:blue", alpha=0.2)
    ax.plot(*np.vstack([edge, edge[:1]]).T, color="tab:blue")
    ax.contour(W1, W2, levels, levels=[Q(best) * k for k in (0.1, 0.4, 1.0)],
               colors="tab:red", linewidths=[0.6, 0.6, 1.5])
    ax.plot(*c, "k+", markersize=10)
    ax.annotate("least squares", c, textcoords="offset points", xytext=(4, 4),
                fontsize="small")
    ax.plot(*best, "o", color="tab:red")
    ax.annotate(f"({best[0]:.2f}, {best[1]:.2f})", best, textcoords="offset points",
                xytext=(6, -12), fontsize="small")
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
    ax.set_aspect("equal")
    ax.set_xlim(-1.6, 2.2)
    ax.set_ylim(-1.6, 2.6)
    ax.set_title(name, fontsize="medium")
    ax.set_xlabel("$w_1$")
axes[0].set_ylabel("$w_2$")
fig.tight_layout()
