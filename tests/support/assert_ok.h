// ASSERT_OK(status): the Status is ok, else the test stops with the expression and its message.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

#define ASSERT_OK(expr)                                                     \
  do {                                                                      \
    const ::capture::Status assert_ok_status_ = (expr);                     \
    ASSERT_TRUE(assert_ok_status_.ok()) << #expr ": " << assert_ok_status_.message(); \
  } while (0)

// EXPECT_OK(status): the same, and the test goes on.
#define EXPECT_OK(expr)                                                     \
  do {                                                                      \
    const ::capture::Status expect_ok_status_ = (expr);                     \
    EXPECT_TRUE(expect_ok_status_.ok()) << #expr ": " << expect_ok_status_.message(); \
  } while (0)
