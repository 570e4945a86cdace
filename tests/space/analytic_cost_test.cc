// The analytic table costs a space registers (nas/space/analytic_cost.h): the NB201 model recognises dense
// tables imported from the NB201 CSVs (their skeleton: C = 16, N = 5) and gives nb201_cost.h's counts, with the
// class count of the dataset; other tables and spaces without a model get none.
#include "nas/space/analytic_cost.h"

#include <gtest/gtest.h>

#include "nas/space/nb101_space.h"
#include "nas/space/nb201_cost.h"
#include "nas/space/nb201_space.h"

namespace nas {
namespace {

const std::map<std::string, std::string> kCsv = {{"source", "NAS-Bench-201 CSV (nasbench201_cifar10.csv)"}};

TEST(AnalyticCost, Nb201CsvTablesGetTheSkeletonsCounts) {
  Nb201Space space;
  auto costs = AnalyticTableCosts(space, space.size(), kCsv, "cifar10-valid");
  ASSERT_TRUE(costs.has_value());
  ASSERT_EQ(costs->params_m.size(), 15625u);
  ASSERT_EQ(costs->flops_m.size(), 15625u);
  EXPECT_EQ(costs->source, "analytic (NB201 skeleton C=16 N=5, 10 classes)");
  for (int64_t a : {0, 1, 777, 15624}) {
    EXPECT_EQ(costs->params_m[a], Nb201Params(space.FromOrdinal(a), Nb201Skeleton()) / 1e6) << a;
    EXPECT_EQ(costs->flops_m[a], Nb201Flops(space.FromOrdinal(a), Nb201Skeleton()) / 1e6) << a;
  }
  // Every edge nor_conv_3x3: NB201's published 1.5315 M parameters on CIFAR-10.
  EXPECT_NEAR(costs->params_m[space.Ordinal(Actions(6, 3))], 1.5315, 5e-4);

  Nb201Skeleton imagenet;
  imagenet.num_classes = 120;
  imagenet.image_size = 16;
  auto i16 = AnalyticTableCosts(space, space.size(), kCsv, "ImageNet16-120");
  ASSERT_TRUE(i16.has_value());
  EXPECT_EQ(i16->params_m[42], Nb201Params(space.FromOrdinal(42), imagenet) / 1e6);
  EXPECT_EQ(i16->flops_m[42], Nb201Flops(space.FromOrdinal(42), imagenet) / 1e6);
  auto c100 = AnalyticTableCosts(space, space.size(), kCsv, "cifar100");
  ASSERT_TRUE(c100.has_value());
  EXPECT_EQ(c100->source, "analytic (NB201 skeleton C=16 N=5, 100 classes)");
}

TEST(AnalyticCost, OtherTablesAndSpacesGetNone) {
  Nb201Space space;
  EXPECT_FALSE(AnalyticTableCosts(space, space.size(), {}, "cifar10").has_value());
  EXPECT_FALSE(AnalyticTableCosts(space, space.size(), {{"source", "nas build-table"}}, "fashion-mnist")
                   .has_value());
  Nb101Space nb101;
  EXPECT_FALSE(AnalyticTableCosts(nb101, 10, kCsv, "cifar10").has_value());
}

}  // namespace
}  // namespace nas
