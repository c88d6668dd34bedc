/** The fixed instant of the notify tests that run on a manual clock (or on no clock at all). */
export const T0 = Date.UTC(2026, 10, 26, 6, 0, 0);
