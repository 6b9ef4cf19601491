// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder so the test-support library exists before its first source lands.
