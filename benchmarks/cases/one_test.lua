-- Issue 17: `herodo test` on a file with one test (start-up of the test runner).
test("adds", function()
  assert(1 + 1 == 2)
end)
