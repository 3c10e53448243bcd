// Package schedule is the one model of when prewarm waves go out: the wave
// grid of the aligned Lambda, the waves of a plain EventBridge rule, the
// `cfprewarm warm --every` daemon, and what each implies (the longest gap
// between waves, waves per hour and month, the Lambda's billed time and its
// function timeout, the number of waves in a keep-alive window and the cold
// share that follows). The Lambda, warm, plan and infra's timeout take these
// numbers from here, and nowhere else.
//
// # The lateness model
//
// An invocation scheduled for time s starts at s + L with L within
// [Lateness.Min, Lateness.Max]. EventBridge Scheduler invokes its target
// "with 60 second precision": a schedule due at 1:00 invokes it between
// 1:00:00 and 1:00:59 when the flexible time window is off (scheduled rules
// likewise fire somewhere within their minute, not on its 0th second). The
// function then starts after Lambda's asynchronous queue, for which AWS
// documents no bound: the model allows 10 s (DeliveryAllowance). So
// EventBridge is L within [0, 70 s]. Where a mean is needed (the billed
// time, the waves in a window of a plain rule) L is uniform on that range,
// independently for each invocation. Invocations that never come, come
// later than Max, or come twice are outside the model: the aligned Lambda
// survives the last two (it sends only its remaining slots, or nothing),
// and a missing one leaves a gap of two periods.
//
// # Aligned waves (EventBridge Scheduler)
//
// Scheduler can put the scheduled time in the target's input
// (<aws.scheduler.scheduled-time>), so an invocation knows which minute it
// stands for however late it runs. Waves then sit on a grid: slots at every
// multiple of Period since the Unix epoch. The invocation scheduled at s
// owns the slots in its window [s + Lateness.Max, s + Lateness.Max + Rate):
// the windows of consecutive invocations tile time, each slot has exactly
// one owner, and an owner that started within the model is waiting before
// its first slot. Consecutive waves are therefore Period apart whatever the
// lateness. With Period = keep-alive − margin every host a wave reaches is
// touched again before its connection's keep-alive ends. When Period is
// longer than Rate (a keep-alive of 120 or 180 s, after a quota increase)
// most windows hold no slot and their invocations return at once.
//
// # Waves per invocation (plain rules)
//
// Without the scheduled time (an EventBridge rule, a manual invoke), an
// invocation sends Waves waves Interval apart from its start. The longest
// gap is then max(Interval, Rate + (Max − Min) − (Waves − 1)·Interval): an
// invocation that starts as early as the model allows followed by one as
// late as it allows.
//
// # Daemon
//
// `cfprewarm warm --every E` runs on a steady clock with no scheduler: one
// wave every E, so the longest gap is E.
package schedule
