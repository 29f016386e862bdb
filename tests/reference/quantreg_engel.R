# Reference numbers of tests/test_inference_quantreg_r.py: R's quantreg
# summary.rq on Engel's data (quantreg 5.94, Debian's r-cran-quantreg).
# Run: Rscript tests/reference/quantreg_engel.R
suppressMessages(library(quantreg))
data(engel)
w <- 1 + (seq_len(nrow(engel)) %% 3) / 2      # the weights of the weighted rows
show <- function(label, values) cat(sprintf("%s %s\n", label, paste(sprintf("%.10g", values), collapse = " ")))
for (tau in c(0.25, 0.5, 0.9)) {
  fit <- rq(foodexp ~ income, tau = tau, data = engel)
  for (hs in c(TRUE, FALSE)) for (se in c("iid", "nid", "ker"))
    show(sprintf("%s %g %s", se, tau, hs), summary(fit, se = se, hs = hs)$coefficients[, 2])
  show(sprintf("rank %g", tau), t(summary(fit, se = "rank", alpha = 0.05)$coefficients[, 2:3]))
}
wfit <- rq(foodexp ~ income, tau = 0.5, data = engel, weights = w)
show("weighted-coef 0.5", coef(wfit))
for (se in c("nid", "ker")) show(sprintf("weighted-%s 0.5", se), summary(wfit, se = se)$coefficients[, 2])
