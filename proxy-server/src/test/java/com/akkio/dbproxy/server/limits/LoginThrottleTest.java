package com.akkio.dbproxy.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/** Failed logins per address: a burst, then the refill rate; other addresses untouched; a bounded table. */
class LoginThrottleTest {

    @Test
    void anAddressIsRefusedOnceItHasFailedItsBurstAndOthersAreNot() {
        LoginThrottle throttle = new LoginThrottle(new ProxyConfig.FailedLogins(1, 3));
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.retryAfterMillis("10.0.0.1")).isZero();
            throttle.failed("10.0.0.1");
        }
        assertThat(throttle.retryAfterMillis("10.0.0.1")).isPositive().isLessThanOrEqualTo(60_000);
        assertThat(throttle.retryAfterMillis("10.0.0.2")).isZero();
    }

    @Test
    void anAddressThatNeverFailedHoldsNoState() {
        LoginThrottle throttle = new LoginThrottle(ProxyConfig.FailedLogins.DEFAULT);
        assertThat(throttle.retryAfterMillis("10.0.0.1")).isZero();
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void pastTheTablesBoundNewAddressesShareOneStricterBucket() {
        LoginThrottle throttle = new LoginThrottle(new ProxyConfig.FailedLogins(1, 2));
        for (int i = 0; i < LoginThrottle.MAX_ADDRESSES; i++) {
            throttle.failed("a" + i);
        }
        assertThat(throttle.tracked()).isEqualTo(LoginThrottle.MAX_ADDRESSES);
        throttle.failed("new-1");
        throttle.failed("new-2");
        assertThat(throttle.tracked()).isEqualTo(LoginThrottle.MAX_ADDRESSES);
        assertThat(throttle.retryAfterMillis("new-3")).as("shares the drained overflow bucket").isPositive();
    }
}
