"""Real user-agent strings, as the clients send them (collected from the clients' own headers and
from published request samples), for the robot rules: who is a person and who is a machine."""

# People: the browsers, in-app browsers and players our teachers, pupils and parents use.
PEOPLE = {
    "WeChat on Android (XWEB)": (
        "Mozilla/5.0 (Linux; Android 12; M2012K11AC Build/SKQ1.220303.001; wv) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/134.0.6998.136 Mobile Safari/537.36 XWEB/1340129 MMWEBSDK/20240301 MMWEBID/9871 "
        "MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
    ),
    "WeChat on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 MicroMessenger/8.0.48(0x18003030) NetType/WIFI Language/zh_CN"
    ),
    "WeChat mini program on Android": (
        "Mozilla/5.0 (Linux; Android 14; 2201122C Build/UKQ1.230917.001; wv) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 "
        "MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64 "
        "MiniProgramEnv/android"
    ),
    "WeChat on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 "
        "Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/9129 Flue"
    ),
    "DingTalk on Android": (
        "Mozilla/5.0 (Linux; U; Android 9; zh-CN; MI 6 Build/PKQ1.190118.001) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.1.161 Mobile Safari/537.36 AliApp(DingTalk/6.0.30) "
        "com.alibaba.android.rimet/15213560 Channel/700159 language/zh-CN UT4Aplus/0.2.25 colorScheme/light"
    ),
    "DingTalk on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/21E219 AliApp(DingTalk/7.5.10) com.laiwang.DingTalk/36130537 Channel/201200 language/zh-Hans-CN "
        "UT4Aplus/0.0.6 WK"
    ),
    "QQ Browser on Android": (
        "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PEHM00 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.5 Mobile Safari/537.36 COVC/046601"
    ),
    "QQ Browser on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.71 "
        "Safari/537.36 Core/1.94.202.400 QQBrowser/11.9.5355.400"
    ),
    "QQ in-app browser": (
        "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/047205 Mobile Safari/537.36 V1_AND_SQ_8.9.68_4264_YYB_D "
        "QQ/8.9.68.11565 NetType/WIFI WebP/0.3.0 AppId/537175327 Pixel/1080 StatusBarHeight/96 SimpleUISwitch/0 "
        "QQTheme/1000 StudyMode/0 CurrentMode/0 CurrentFontScale/1.0 GlobalDensityScale/0.9 AllowLandscape/false "
        "InMagicWin/0"
    ),
    "UC Browser": (
        "Mozilla/5.0 (Linux; U; Android 14; zh-CN; 23116PN5BC Build/UKQ1.230804.001) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile UCBrowser/13.6.0.1306 Safari/537.36"
    ),
    "Baidu app": (
        "Mozilla/5.0 (Linux; Android 13; PGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.32 SP-engine/2.70.0 baiduboxapp/13.32.0.10 (Baidu; P1 13) "
        "NABar/1.0"
    ),
    "Baidu app on iOS": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 SP-engine/3.28.0 main%2F1.0 baiduboxapp/13.40.0.10 (Baidu; P2 16.6) NABar/1.0"
    ),
    "Sogou mobile browser": (
        "Mozilla/5.0 (Linux; Android 12; V2219A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/91.0.4472.114 Mobile Safari/537.36 SogouMobileBrowser/5.38.6"
    ),
    "Sogou browser (older Android)": (
        "Mozilla/5.0 (Linux; U; Android 5.1.1; zh-cn; ATH-AL00 Build/HONORATH-AL00) AppleWebKit/534.30 (KHTML, like "
        "Gecko) Version/4.0 Mobile Safari/534.30 SogouMSE,SogouMobileBrowser/4.2.6"
    ),
    "Sogou Explorer on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 "
        "Safari/537.36 SE 2.X MetaSr 1.0"
    ),
    "Huawei browser (HarmonyOS)": (
        "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AL10; HMSCore 6.8.0.332) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/99.0.4844.88 HuaweiBrowser/13.0.0.310 Mobile Safari/537.36"
    ),
    "Huawei browser (HarmonyOS NEXT)": (
        "Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 "
        "Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/17.0.3.700"
    ),
    "MIUI browser": (
        "Mozilla/5.0 (Linux; U; Android 14; zh-cn; 23013RK75C Build/UKQ1.230804.001) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Version/4.0 Chrome/119.0.6045.193 Mobile Safari/537.36 XiaoMi/MiuiBrowser/18.6.70920"
    ),
    "vivo browser": (
        "Mozilla/5.0 (Linux; Android 13; V2243A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/16.4.0.5"
    ),
    "OPPO browser": (
        "Mozilla/5.0 (Linux; Android 12; CPH2325) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Mobile "
        "Safari/537.36 HeyTapBrowser/45.9.4.1"
    ),
    "Quark": (
        "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/100.0.4896.58 Quark/6.9.0.501 Mobile Safari/537.36"
    ),
    "360 browser on Android": (
        "Mozilla/5.0 (Linux; Android 7.1.2; OPPO A57) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/65.0.3325.109 "
        "Mobile Safari/537.36 360Browser/10.2.1.1004"
    ),
    "Safari on iPhone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1"
    ),
    "Safari on iPad": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
        "Safari/605.1.15"
    ),
    "iOS video player (AppleCoreMedia)": "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; zh_cn)",
    "iPad video player (AppleCoreMedia)": "AppleCoreMedia/1.0.0.20G75 (iPad; U; CPU OS 16_6 like Mac OS X; zh_cn)",
    "native iOS app on CFNetwork": "WeChat/8.0.48.31 CFNetwork/1494.0.7 Darwin/23.4.0",
    "Chrome on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36"
    ),
    "Edge on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36 Edg/124.0.2478.80"
    ),
    "Firefox on Linux": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Chrome on Android": (
        "Mozilla/5.0 (Linux; Android 14; 2210132C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
        "Safari/537.36"
    ),
}

# Machines: search engines' crawlers, headless browsers and HTTP libraries.
MACHINES = {
    "Baiduspider": "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Baiduspider render": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) "
        "Version/9.0 Mobile/13B143 Safari/601.1 (compatible; Baiduspider-render/2.0; "
        "+http://www.baidu.com/search/spider.html)"
    ),
    "Sogou web spider": "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Bytespider": (
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; Bytespider; spider-feedback@bytedance.com)"
    ),
    "YisouSpider (Shenma)": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.81 "
        "YisouSpider/5.0 Safari/537.36"
    ),
    "360Spider": (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 "
        "Safari/537.36; 360Spider"
    ),
    "PetalBot (Huawei)": (
        "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)"
    ),
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "HeadlessChrome": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 "
        "Safari/537.36"
    ),
    "PhantomJS": (
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1"
    ),
    "Lighthouse": (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse"
    ),
    "okhttp": "okhttp/4.12.0",
    "axios": "axios/1.6.8",
    "node-fetch": "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "undici (Node's fetch)": "undici",
    "python-requests": "python-requests/2.31.0",
    "aiohttp": "Python/3.11 aiohttp/3.9.5",
    "curl": "curl/8.5.0",
    "Wget": "Wget/1.21.4",
    "Go-http-client": "Go-http-client/1.1",
    "Java": "Java/17.0.10",
    "Apache HttpClient": "Apache-HttpClient/4.5.14 (Java/17.0.10)",
    "Scrapy": "Scrapy/2.11.1 (+https://scrapy.org)",
    "PostmanRuntime": "PostmanRuntime/7.37.3",
    "Dart": "Dart/3.3 (dart:io)",
    "no user agent": "",
}
